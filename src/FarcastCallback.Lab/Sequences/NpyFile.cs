using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace FarcastCallback.Lab.Sequences;

/// <summary>
/// Reads and writes weight sequences as NumPy <c>.npy</c> files, the format of the paper's repository: shape
/// <c>(sequences, steps, scalars)</c> (a 2-D array is read as one scalar per step), little-endian float64 or
/// float32, C order. Bad files fail with <see cref="InvalidDataException"/> saying what is wrong.
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };
    private const uint MaxHeaderBytes = 1 << 20;

    /// <summary>The most data read into one array of doubles (.NET arrays hold at most 2³¹ bytes).</summary>
    private const long MaxDataBytes = int.MaxValue;

    public static WeightSequences Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Sequence file '{path}' does not exist.", path);
        using var stream = File.OpenRead(path);
        try
        {
            return Read(stream);
        }
        catch (InvalidDataException exception)
        {
            throw new InvalidDataException($"{path}: {exception.Message}", exception);
        }
    }

    public static WeightSequences Read(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.ASCII, leaveOpen: true);
        var magic = ReadExactly(reader, Magic.Length, "the magic string");
        if (!magic.AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException("not a NumPy .npy file (wrong magic string).");
        var major = ReadExactly(reader, 2, "the version")[0];
        var headerLength = major switch
        {
            1 => BitConverter.ToUInt16(ReadExactly(reader, 2, "the header length")),
            2 or 3 => CheckedHeaderLength(BitConverter.ToUInt32(ReadExactly(reader, 4, "the header length"))),
            _ => throw new InvalidDataException($"unsupported .npy format version {major}."),
        };
        var header = Encoding.ASCII.GetString(ReadExactly(reader, headerLength, "the header"));

        var descr = DescrPattern().Match(header);
        if (!descr.Success) throw new InvalidDataException("the header has no 'descr' entry.");
        var elementSize = descr.Groups[1].Value switch
        {
            "<f8" => 8,
            "<f4" => 4,
            var other => throw new InvalidDataException($"dtype '{other}' is not supported; use little-endian float64 ('<f8') or float32 ('<f4')."),
        };
        if (FortranPattern().Match(header) is { Success: true } fortran && fortran.Groups[1].Value == "True")
            throw new InvalidDataException("Fortran-order arrays are not supported; save with C order.");
        var shapeMatch = ShapePattern().Match(header);
        if (!shapeMatch.Success) throw new InvalidDataException("the header has no 'shape' entry.");
        var shape = shapeMatch.Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var d)
                ? d
                : throw new InvalidDataException($"the shape ({shapeMatch.Groups[1].Value}) holds '{s}', not a dimension of at most {int.MaxValue}."))
            .ToArray();
        if (shape.Length is not (2 or 3))
            throw new InvalidDataException($"expected shape (sequences, steps, scalars) or (sequences, steps); got ({string.Join(", ", shape)}).");
        var (sequences, steps, scalars) = (shape[0], shape[1], shape.Length == 3 ? shape[2] : 1);
        if (sequences < 1 || steps < 2 || scalars < 1)
            throw new InvalidDataException($"shape ({string.Join(", ", shape)}) holds no usable sequences (need ≥ 1 sequence, ≥ 2 steps, ≥ 1 scalar).");

        var count = (long)sequences * steps * scalars;
        var bytes = count * elementSize;
        var remaining = stream.CanSeek ? stream.Length - stream.Position : long.MaxValue;
        if (bytes > remaining)
            throw new InvalidDataException($"the shape ({string.Join(", ", shape)}) needs {bytes:N0} bytes of data, the file holds {remaining:N0} (truncated, or the header lies).");
        if (bytes > MaxDataBytes)
            throw new InvalidDataException($"the shape ({string.Join(", ", shape)}) needs {bytes:N0} bytes of data; at most {MaxDataBytes:N0} are read.");
        var data = ReadExactly(reader, (int)bytes, $"{count} values of {elementSize} bytes (the file is truncated)");
        var values = new double[count];
        for (var i = 0; i < count; i++)
            values[i] = elementSize == 8 ? BitConverter.ToDouble(data, i * 8) : BitConverter.ToSingle(data, i * 4);
        return new WeightSequences(sequences, steps, scalars, values);
    }

    public static void Write(string path, WeightSequences sequences)
    {
        using var stream = File.Create(path);
        Write(stream, sequences);
    }

    /// <summary>Writes format version 1.0, float64, C order.</summary>
    public static void Write(Stream stream, WeightSequences sequences)
    {
        var dictionary = $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({sequences.Sequences}, {sequences.Steps}, {sequences.Scalars}), }}";
        var unpadded = Magic.Length + 2 + 2 + dictionary.Length + 1;
        var padding = (64 - unpadded % 64) % 64;
        var header = dictionary + new string(' ', padding) + "\n";
        using var writer = new BinaryWriter(stream, Encoding.ASCII, leaveOpen: true);
        writer.Write(Magic);
        writer.Write((byte)1);
        writer.Write((byte)0);
        writer.Write(checked((ushort)header.Length));
        writer.Write(Encoding.ASCII.GetBytes(header));
        foreach (var value in sequences.Values) writer.Write(value);
    }

    private static int CheckedHeaderLength(uint length) => length <= MaxHeaderBytes
        ? (int)length
        : throw new InvalidDataException($"the header declares {length:N0} bytes; at most {MaxHeaderBytes:N0} are read.");

    private static byte[] ReadExactly(BinaryReader reader, int count, string what)
    {
        var bytes = reader.ReadBytes(count);
        if (bytes.Length != count) throw new InvalidDataException($"unexpected end of file while reading {what}.");
        return bytes;
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
