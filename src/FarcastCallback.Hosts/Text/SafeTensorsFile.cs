using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Text;

/// <summary>
/// Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw data). Checkpoints are untrusted: every length and range is
/// checked against the file before anything is read, so a truncated or lying header gives an
/// <see cref="InvalidDataException"/> naming the problem, never an out-of-range read.
/// </summary>
public static class SafeTensorsFile
{
    private const long MaxHeaderBytes = 100L << 20;
    /// <summary>Bytes per element of each supported dtype (safetensors names).</summary>
    internal static readonly IReadOnlyDictionary<string, int> ElementSizes = new Dictionary<string, int>() { ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["F64"] = 8, ["I64"] = 8 };

    /// <summary>Reads every tensor as float32 (int64 for I64 entries), on the CPU, outside any dispose scope.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The most data bytes the model it is for can need; a file whose tensors hold more is refused before its data is read.</param>
    public static Dictionary<string, Tensor> Read(string path, long maxBytes = long.MaxValue)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Safetensors file '{path}' does not exist.", path);
        using var stream = File.OpenRead(path);
        return Read(stream, path, maxBytes);
    }

    /// <inheritdoc cref="Read(string, long)"/>
    public static Dictionary<string, Tensor> Read(Stream stream, string name = "safetensors stream", long maxBytes = long.MaxValue)
    {
        var length = stream.Length;
        if (length < 8) throw new InvalidDataException($"{name}: {length} bytes is too short for a safetensors header.");
        var lengthBytes = new byte[8];
        stream.ReadExactly(lengthBytes);
        var headerLength = BitConverter.ToUInt64(lengthBytes);
        if (headerLength == 0 || headerLength > (ulong)Math.Min(MaxHeaderBytes, length - 8))
            throw new InvalidDataException($"{name}: header length {headerLength} does not fit the file ({length} bytes; at most {MaxHeaderBytes} allowed).");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerBytes)?.AsObject() ?? throw new InvalidDataException($"{name}: the header is empty.");
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{name}: the header is not a JSON object: {exception.Message}", exception);
        }

        var dataStart = 8 + (long)headerLength;
        var dataLength = length - dataStart;
        var entries = new List<(string Key, string DType, long[] Shape, long Begin, long End)>();
        foreach (var (key, node) in header)
        {
            if (key == "__metadata__") continue;
            entries.Add(ParseEntry(name, key, node, dataLength));
        }
        // The format indexes the whole data buffer without holes or overlaps; entries that share bytes would multiply the
        // memory a small file costs, and holes can hide a second file. Either is refused before any data is read.
        long covered = 0;
        foreach (var (key, _, _, begin, end) in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (begin != covered)
                throw new InvalidDataException($"{name}: tensor '{key}' starts at byte {begin} of the data, where {(begin < covered ? "the previous tensor's bytes overlap it" : $"a hole of {begin - covered} bytes lies before it")}; safetensors data must be covered exactly once.");
            covered = end;
        }
        if (covered != dataLength)
            throw new InvalidDataException($"{name}: the tensors cover {covered} of the {dataLength} data bytes; safetensors data must be covered exactly once.");
        if (covered > maxBytes)
            throw new InvalidDataException($"{name}: its tensors hold {covered:N0} bytes, more than the {maxBytes:N0} the model can need.");
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (key, dtype, shape, begin, end) in entries.OrderBy(e => e.Begin))
            {
                var bytes = new byte[end - begin];
                stream.Position = dataStart + begin;
                stream.ReadExactly(bytes);
                tensors[key] = ToTensor(bytes, dtype, shape);
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return tensors;
    }

    /// <summary>Writes <paramref name="tensors"/> (float32 or int64; others are stored as float32), keys in ordinal order.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var entries = tensors.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
        var header = new JsonObject();
        if (metadata is not null)
            header["__metadata__"] = new JsonObject(metadata.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value))));
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (key, tensor) in entries)
        {
            var (dtype, bytes) = ToBytes(tensor);
            header[key] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8;
        using var stream = File.Create(path);
        stream.Write(BitConverter.GetBytes((ulong)padded));
        stream.Write(json);
        for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var blob in blobs) stream.Write(blob);
    }

    private static (string Key, string DType, long[] Shape, long Begin, long End) ParseEntry(string name, string key, JsonNode? node, long dataLength)
    {
        try
        {
            var entry = node?.AsObject() ?? throw new InvalidDataException("no entry");
            var dtype = entry["dtype"]?.GetValue<string>() ?? throw new InvalidDataException("no dtype");
            if (!ElementSizes.TryGetValue(dtype, out var size))
                throw new InvalidDataException($"dtype {dtype} is not supported (F32, F16, BF16, F64, I64)");
            var shape = (entry["shape"]?.AsArray() ?? throw new InvalidDataException("no shape")).Select(d => d!.GetValue<long>()).ToArray();
            if (shape.Any(d => d < 0)) throw new InvalidDataException($"negative dimension in shape [{string.Join(", ", shape)}]");
            var offsets = entry["data_offsets"]?.AsArray() ?? throw new InvalidDataException("no data_offsets");
            if (offsets.Count != 2) throw new InvalidDataException("data_offsets must hold two numbers");
            var (begin, end) = (offsets[0]!.GetValue<long>(), offsets[1]!.GetValue<long>());
            if (begin < 0 || end < begin || end > dataLength)
                throw new InvalidDataException($"byte range [{begin}, {end}) lies outside the {dataLength} data bytes (file truncated or header lying)");
            var elements = shape.Aggregate(1L, (a, d) => checked(a * d));
            if (checked(elements * size) != end - begin)
                throw new InvalidDataException($"shape [{string.Join(", ", shape)}] of {dtype} needs {elements * size} bytes but the range holds {end - begin}");
            return (key, dtype, shape, begin, end);
        }
        catch (Exception exception) when (exception is InvalidOperationException or FormatException or OverflowException or InvalidDataException)
        {
            throw new InvalidDataException($"{name}: tensor '{key}': {exception.Message}.", exception);
        }
    }

    /// <summary>A CPU tensor of <paramref name="shape"/> from little-endian <paramref name="bytes"/> of a safetensors dtype: float32, or int64 for I64.</summary>
    internal static Tensor ToTensor(byte[] bytes, string dtype, long[] shape)
    {
        switch (dtype)
        {
            case "I64":
                return tensor(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), shape).DetachFromDisposeScope();
            case "F64":
                return tensor(MemoryMarshal.Cast<byte, double>(bytes).ToArray().Select(v => (float)v).ToArray(), shape).DetachFromDisposeScope();
            case "F16":
                return tensor(MemoryMarshal.Cast<byte, Half>(bytes).ToArray().Select(v => (float)v).ToArray(), shape).DetachFromDisposeScope();
            case "BF16":
                var raw = MemoryMarshal.Cast<byte, ushort>(bytes);
                var values = new float[raw.Length];
                for (var i = 0; i < raw.Length; i++) values[i] = BitConverter.Int32BitsToSingle(raw[i] << 16);
                return tensor(values, shape).DetachFromDisposeScope();
            default:
                return tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape).DetachFromDisposeScope();
        }
    }

    private static (string DType, byte[] Bytes) ToBytes(Tensor tensor)
    {
        using var cpu = tensor.detach().cpu().contiguous();
        if (cpu.dtype == ScalarType.Int64)
            return ("I64", MemoryMarshal.AsBytes(cpu.data<long>().ToArray().AsSpan()).ToArray());
        using var single = cpu.to(ScalarType.Float32);
        return ("F32", MemoryMarshal.AsBytes(single.data<float>().ToArray().AsSpan()).ToArray());
    }
}
