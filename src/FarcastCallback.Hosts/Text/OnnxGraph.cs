using System.Runtime.InteropServices;
using System.Text;

namespace FarcastCallback.Hosts.Text;

/// <summary>
/// The parts of an ONNX model (protobuf) that weight extraction needs: the graph's nodes (operator, inputs,
/// outputs) and its float/int64 initializers. A minimal protobuf wire-format reader; every length is checked
/// against the buffer, so a corrupt file gives an <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class OnnxGraph
{
    private OnnxGraph(IReadOnlyList<OnnxNode> nodes, IReadOnlyDictionary<string, OnnxInitializer> initializers)
    {
        Nodes = nodes;
        Initializers = initializers;
    }

    public IReadOnlyList<OnnxNode> Nodes { get; }

    public IReadOnlyDictionary<string, OnnxInitializer> Initializers { get; }

    public static OnnxGraph Parse(byte[] model)
    {
        var nodes = new List<OnnxNode>();
        var initializers = new Dictionary<string, OnnxInitializer>();
        foreach (var (field, graph) in Fields(model, 0, model.Length))
        {
            if (field != 7 || graph is not Range g) continue;   // ModelProto.graph
            foreach (var (gf, value) in Fields(model, g.Start, g.End))
            {
                if (value is not Range r) continue;
                if (gf == 1) nodes.Add(ParseNode(model, r));
                else if (gf == 5)
                {
                    var tensor = ParseTensor(model, r);
                    initializers[tensor.Name] = tensor;
                }
            }
        }
        if (nodes.Count == 0) throw new InvalidDataException("The ONNX model has no graph nodes.");
        return new OnnxGraph(nodes, initializers);
    }

    private static OnnxNode ParseNode(byte[] buffer, Range node)
    {
        var (inputs, outputs, op) = (new List<string>(), new List<string>(), "");
        foreach (var (field, value) in Fields(buffer, node.Start, node.End))
        {
            if (value is not Range r) continue;
            var text = Encoding.UTF8.GetString(buffer, r.Start, r.End - r.Start);
            if (field == 1) inputs.Add(text);
            else if (field == 2) outputs.Add(text);
            else if (field == 4) op = text;
        }
        return new OnnxNode(op, inputs, outputs);
    }

    private static OnnxInitializer ParseTensor(byte[] buffer, Range tensor)
    {
        var dims = new List<long>();
        var (type, name) = (0, "");
        float[]? floats = null;
        Range? raw = null;
        foreach (var (field, value) in Fields(buffer, tensor.Start, tensor.End))
        {
            switch (field, value)
            {
                case (1, ulong d): dims.Add((long)d); break;
                case (1, Range packed): dims.AddRange(Varints(buffer, packed).Select(v => (long)v)); break;
                case (2, ulong t): type = (int)t; break;
                case (4, Range packed): floats = MemoryMarshal.Cast<byte, float>(buffer.AsSpan(packed.Start, packed.End - packed.Start)).ToArray(); break;
                case (8, Range n): name = Encoding.UTF8.GetString(buffer, n.Start, n.End - n.Start); break;
                case (9, Range r): raw = r; break;
                case (13, Range): throw new InvalidDataException("ONNX tensors stored as external data are not supported.");
            }
        }
        var count = dims.Aggregate(1L, (a, d) => a * d);
        if (type == 1)
        {
            floats ??= raw is { } r ? MemoryMarshal.Cast<byte, float>(buffer.AsSpan(r.Start, r.End - r.Start)).ToArray() : Array.Empty<float>();
            if (floats.Length != count) throw new InvalidDataException($"ONNX initializer '{name}': {floats.Length} values for shape [{string.Join(", ", dims)}].");
            return new OnnxInitializer(name, dims.ToArray(), floats);
        }
        return new OnnxInitializer(name, dims.ToArray(), null);   // non-float initializers (shapes, indices) are not weights
    }

    private static IEnumerable<ulong> Varints(byte[] buffer, Range range)
    {
        var position = range.Start;
        while (position < range.End) yield return ReadVarint(buffer, ref position, range.End);
    }

    /// <summary>The fields of a message in buffer[start, end): (number, varint value or byte range of a length-delimited field).</summary>
    private static IEnumerable<(int Field, object Value)> Fields(byte[] buffer, int start, int end)
    {
        var position = start;
        while (position < end)
        {
            var key = ReadVarint(buffer, ref position, end);
            var (field, wire) = ((int)(key >> 3), (int)(key & 7));
            switch (wire)
            {
                case 0:
                    yield return (field, ReadVarint(buffer, ref position, end));
                    break;
                case 1:
                    Require(position + 8 <= end);
                    position += 8;
                    break;
                case 2:
                    var length = ReadVarint(buffer, ref position, end);
                    Require(length <= (ulong)(end - position));
                    yield return (field, new Range(position, position + (int)length));
                    position += (int)length;
                    break;
                case 5:
                    Require(position + 4 <= end);
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Corrupt ONNX model: wire type {wire} at byte {position}.");
            }
        }
    }

    private static ulong ReadVarint(byte[] buffer, ref int position, int end)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            Require(position < end);
            var b = buffer[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new InvalidDataException("Corrupt ONNX model: a varint longer than 10 bytes.");
    }

    private static void Require(bool condition)
    {
        if (!condition) throw new InvalidDataException("Corrupt ONNX model: a field runs past the end of its message.");
    }

    private readonly record struct Range(int Start, int End);
}

/// <summary>One ONNX graph node.</summary>
internal sealed record OnnxNode(string Operator, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);

/// <summary>One initializer; <see cref="Values"/> is null for non-float tensors.</summary>
internal sealed record OnnxInitializer(string Name, long[] Shape, float[]? Values);
