using System.IO.Compression;
using System.Text;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Text;

/// <summary>
/// Reads a PyTorch <c>pytorch_model.bin</c> (a zip holding <c>data.pkl</c> and one file per storage) with a
/// restricted unpickler: the only callables it accepts are <c>collections.OrderedDict</c>,
/// <c>torch._utils._rebuild_tensor_v2</c> and <c>torch._utils._rebuild_parameter</c>; the only classes, torch's
/// float/half/bfloat16/double/long storages. Any other global — a pickle that would run code — is refused with an
/// <see cref="InvalidDataException"/> naming it, before anything is called. Sizes, strides and offsets are checked
/// against each storage.
/// </summary>
public static class TorchPickleCheckpoint
{
    private const int MaxStack = 1 << 20;
    private const long MaxPickleBytes = 64L << 20;
    private static readonly Dictionary<string, string> Storages = new()
    {
        ["FloatStorage"] = "F32", ["HalfStorage"] = "F16", ["BFloat16Storage"] = "BF16", ["DoubleStorage"] = "F64", ["LongStorage"] = "I64",
    };

    /// <summary>The state dict in the file, every tensor outside any dispose scope.</summary>
    /// <param name="path">The checkpoint.</param>
    /// <param name="maxBytes">The most storage bytes the file may make this process decompress and hold (e.g. what the
    /// model it is for can need); a file that declares or inflates to more is refused before it is read further.</param>
    public static Dictionary<string, Tensor> Read(string path, long maxBytes = long.MaxValue)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        try
        {
            using var zip = ZipFile.OpenRead(path);
            return Read(zip, path, maxBytes);
        }
        catch (InvalidDataException exception) when (!exception.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: {exception.Message}", exception);
        }
    }

    private static Dictionary<string, Tensor> Read(ZipArchive zip, string path, long maxBytes)
    {
        var pickle = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal))
            ?? throw new InvalidDataException("not a PyTorch zip checkpoint (no data.pkl); legacy (pre-1.6) pickles are not read.");
        var prefix = pickle.FullName[..^"data.pkl".Length];
        if (zip.GetEntry(prefix + "byteorder") is { } order)
        {
            using var reader = new StreamReader(order.Open());
            if (reader.ReadToEnd().Trim() != "little") throw new InvalidDataException("big-endian checkpoints are not supported.");
        }
        var bytes = ReadAtMost(pickle, MaxPickleBytes, "data.pkl");
        var tensors = new Dictionary<string, Tensor>();
        var budget = maxBytes;
        try
        {
            var root = new Unpickler(bytes, (key, expected) =>
            {
                if (expected > budget)
                    throw new InvalidDataException($"storage '{key}' declares {expected:N0} bytes; with the storages before it that is more than the {maxBytes:N0} this model can need.");
                budget -= expected;
                return ReadAtMost(zip.GetEntry($"{prefix}data/{key}") ?? throw new InvalidDataException($"storage '{key}' is missing from the archive."), expected, $"storage '{key}'");
            }).Load();
            if (root is not PickleDict dictionary) throw new InvalidDataException("data.pkl does not hold a state dict (a dictionary).");
            foreach (var (key, value) in dictionary.Items)
            {
                if (key is not string name || value is not Tensor tensor)
                    throw new InvalidDataException($"the state dict holds a non-tensor entry '{key}'.");
                tensors[name] = tensor;
            }
            return tensors;
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>Decompresses an entry, refusing it as soon as it inflates beyond <paramref name="limit"/> bytes (zip headers can lie).</summary>
    private static byte[] ReadAtMost(ZipArchiveEntry entry, long limit, string what)
    {
        using var stream = entry.Open();
        using var memory = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            if (memory.Length + read > limit)
                throw new InvalidDataException($"{what} inflates beyond the {limit:N0} bytes it may hold.");
            memory.Write(buffer, 0, read);
        }
        return memory.ToArray();
    }

    private sealed record GlobalRef(string Module, string Name);

    private sealed record StorageRef(string DType, string Key, long Elements);

    private sealed class PickleDict
    {
        public List<(object? Key, object? Value)> Items { get; } = new();
    }

    private sealed class Mark
    {
        public static readonly Mark Instance = new();
    }

    /// <summary>Protocol 2–4 pickles of state dicts; nothing outside the allow-list is ever constructed or called.</summary>
    private sealed class Unpickler(byte[] data, Func<string, long, byte[]> storage)
    {
        private readonly List<object?> _stack = new();
        private readonly Dictionary<long, object?> _memo = new();
        private readonly Dictionary<string, byte[]> _storages = new();
        private int _position;

        public object? Load()
        {
            while (true)
            {
                var op = Byte();
                switch (op)
                {
                    case 0x80: Byte(); break;                                   // PROTO
                    case 0x95: Bytes(8); break;                                 // FRAME
                    case (byte)'.': return Pop();                               // STOP
                    case (byte)'(': Push(Mark.Instance); break;                 // MARK
                    case (byte)'}': Push(new PickleDict()); break;              // EMPTY_DICT
                    case (byte)']': Push(new List<object?>()); break;           // EMPTY_LIST
                    case (byte)')': Push(Array.Empty<object?>()); break;        // EMPTY_TUPLE
                    case (byte)'N': Push(null); break;
                    case 0x88: Push(true); break;
                    case 0x89: Push(false); break;
                    case (byte)'J': Push((long)BitConverter.ToInt32(Bytes(4))); break;
                    case (byte)'K': Push((long)Byte()); break;
                    case (byte)'M': Push((long)BitConverter.ToUInt16(Bytes(2))); break;
                    case 0x8a: Push(Long1()); break;
                    case (byte)'G': Push(BitConverter.ToDouble(Bytes(8).Reverse().ToArray())); break;
                    case (byte)'X': Push(Utf8(checked((int)BitConverter.ToUInt32(Bytes(4))))); break;
                    case 0x8c: Push(Utf8(Byte())); break;                       // SHORT_BINUNICODE
                    case (byte)'c': Push(Global(Line(), Line())); break;
                    case 0x93:                                                  // STACK_GLOBAL
                    {
                        var name = Pop() as string;
                        var module = Pop() as string;
                        Push(Global(module ?? "?", name ?? "?"));
                        break;
                    }
                    case (byte)'q': _memo[Byte()] = Peek(); break;              // BINPUT
                    case (byte)'r': _memo[BitConverter.ToUInt32(Bytes(4))] = Peek(); break;
                    case 0x94: _memo[_memo.Count] = Peek(); break;              // MEMOIZE
                    case (byte)'h': Push(Memo(Byte())); break;                  // BINGET
                    case (byte)'j': Push(Memo(BitConverter.ToUInt32(Bytes(4)))); break;
                    case (byte)'t': Push(PopToMark().ToArray()); break;         // TUPLE
                    case 0x85: Push(new[] { Pop() }); break;
                    case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; }
                    case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; }
                    case (byte)'a': { var item = Pop(); List().Add(item); break; }
                    case (byte)'e': { var items = PopToMark(); List().AddRange(items); break; }
                    case (byte)'s': { var value = Pop(); var key = Pop(); Dict().Items.Add((key, value)); break; }
                    case (byte)'u':
                    {
                        var items = PopToMark();
                        if (items.Count % 2 != 0) throw Corrupt("SETITEMS with an odd number of items");
                        var dict = Dict();
                        for (var i = 0; i < items.Count; i += 2) dict.Items.Add((items[i], items[i + 1]));
                        break;
                    }
                    case (byte)'Q': Push(PersistentLoad(Pop())); break;         // BINPERSID
                    case (byte)'R': { var args = Pop() as object?[] ?? throw Corrupt("REDUCE without an argument tuple"); Push(Reduce(Pop(), args)); break; }
                    case (byte)'b':                                             // BUILD: only an OrderedDict's metadata
                        Pop();
                        if (Peek() is not PickleDict) throw new InvalidDataException("the pickle sets state on an object that is not a dictionary: refused.");
                        break;
                    default:
                        throw new InvalidDataException($"the pickle uses opcode 0x{op:x2} at byte {_position - 1}, which a state dict does not need: refused.");
                }
            }
        }

        private static object Global(string module, string name) => (module, name) switch
        {
            ("collections", "OrderedDict") or ("torch._utils", "_rebuild_tensor_v2") or ("torch._utils", "_rebuild_parameter") => new GlobalRef(module, name),
            ("torch", _) when Storages.ContainsKey(name) => new GlobalRef(module, name),
            _ => throw new InvalidDataException($"the pickle refers to '{module}.{name}', which is not a tensor or a plain container: refused (a checkpoint pickle can run code; only state dicts are read)."),
        };

        private object PersistentLoad(object? id)
        {
            if (id is not object?[] { Length: 5 } parts || parts[0] is not "storage" || parts[1] is not GlobalRef { Module: "torch" } type
                || parts[2] is not string key || parts[4] is not long elements || elements < 0)
                throw Corrupt("a persistent id that is not a torch storage");
            return new StorageRef(Storages[type.Name], key, elements);
        }

        private object Reduce(object? callable, object?[] args)
        {
            switch (callable)
            {
                case GlobalRef { Module: "collections", Name: "OrderedDict" } when args.Length == 0:
                    return new PickleDict();
                case GlobalRef { Name: "_rebuild_parameter" } when args is [Tensor tensor, ..]:
                    return tensor;
                case GlobalRef { Name: "_rebuild_tensor_v2" } when args.Length >= 4 && args[0] is StorageRef source && args[1] is long offset
                    && args[2] is object?[] size && args[3] is object?[] stride:
                    return Rebuild(source, offset, size.Select(ToLong).ToArray(), stride.Select(ToLong).ToArray());
                default:
                    throw new InvalidDataException($"the pickle calls {callable} with arguments a state dict does not use: refused.");
            }
        }

        private Tensor Rebuild(StorageRef source, long offset, long[] size, long[] stride)
        {
            if (size.Length != stride.Length || size.Any(s => s < 0) || stride.Any(s => s < 0) || offset < 0)
                throw Corrupt($"tensor of size [{string.Join(", ", size)}], stride [{string.Join(", ", stride)}], offset {offset}");
            long elements, last;
            try
            {
                elements = size.Aggregate(1L, (a, d) => checked(a * d));
                last = elements == 0 ? offset - 1 : checked(offset + size.Zip(stride, (s, st) => checked((s - 1) * st)).Aggregate(0L, (a, b) => checked(a + b)));
            }
            catch (OverflowException)
            {
                throw Corrupt($"tensor of size [{string.Join(", ", size)}] and stride [{string.Join(", ", stride)}] overflows 64 bits");
            }
            if (last >= source.Elements)
                throw Corrupt($"tensor reaches element {last} of storage '{source.Key}', which holds {source.Elements}");
            // A saved state dict never broadcasts: a view with more elements than its storage (stride 0) would only
            // multiply the memory a small file costs.
            if (elements > source.Elements)
                throw Corrupt($"tensor of {elements} elements is a view of storage '{source.Key}', which holds {source.Elements}");
            if (!_storages.TryGetValue(source.Key, out var bytes))
            {
                long expected;
                try
                {
                    expected = checked(source.Elements * SafeTensorsFile.ElementSizes[source.DType]);
                }
                catch (OverflowException)
                {
                    throw Corrupt($"storage '{source.Key}' declares {source.Elements} elements");
                }
                bytes = storage(source.Key, expected);
                if (bytes.LongLength != source.Elements * SafeTensorsFile.ElementSizes[source.DType])
                    throw Corrupt($"storage '{source.Key}' holds {bytes.LongLength} bytes, not {source.Elements} × {SafeTensorsFile.ElementSizes[source.DType]}");
                _storages[source.Key] = bytes;
            }
            using var scope = NewDisposeScope();
            var flat = SafeTensorsFile.ToTensor(bytes, source.DType, new[] { source.Elements });
            return flat.as_strided(size, stride, offset).contiguous().clone().DetachFromDisposeScope();
        }

        private static long ToLong(object? value) => value as long? ?? throw new InvalidDataException("Corrupt checkpoint pickle: a non-integer size or stride.");

        private List<object?> PopToMark()
        {
            var mark = _stack.FindLastIndex(o => ReferenceEquals(o, Mark.Instance));
            if (mark < 0) throw Corrupt("no MARK");
            var items = _stack.GetRange(mark + 1, _stack.Count - mark - 1);
            _stack.RemoveRange(mark, _stack.Count - mark);
            return items;
        }

        private List<object?> List() => Peek() as List<object?> ?? throw Corrupt("APPEND to a non-list");

        private PickleDict Dict() => Peek() as PickleDict ?? throw Corrupt("SETITEM on a non-dictionary");

        private object? Memo(long key) => _memo.TryGetValue(key, out var value) ? value : throw Corrupt($"memo {key} read before it was written");

        private void Push(object? value)
        {
            if (_stack.Count >= MaxStack) throw Corrupt("stack too deep");
            _stack.Add(value);
        }

        private object? Pop()
        {
            if (_stack.Count == 0) throw Corrupt("stack underflow");
            var value = _stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            return value;
        }

        private object? Peek() => _stack.Count > 0 ? _stack[^1] : throw Corrupt("stack underflow");

        private byte Byte() => _position < data.Length ? data[_position++] : throw Corrupt("unexpected end");

        private byte[] Bytes(int count)
        {
            if (count < 0 || count > data.Length - _position) throw Corrupt("unexpected end");
            var bytes = data.AsSpan(_position, count).ToArray();
            _position += count;
            return bytes;
        }

        private string Utf8(int count) => Encoding.UTF8.GetString(Bytes(count));

        private string Line()
        {
            var end = Array.IndexOf(data, (byte)'\n', _position);
            if (end < 0) throw Corrupt("unterminated GLOBAL");
            var text = Encoding.ASCII.GetString(data, _position, end - _position);
            _position = end + 1;
            return text;
        }

        private long Long1()
        {
            var bytes = Bytes(Byte());
            if (bytes.Length > 8) throw Corrupt("integer wider than 64 bits");
            long value = 0;
            for (var i = bytes.Length - 1; i >= 0; i--) value = (value << 8) | bytes[i];
            if (bytes.Length is > 0 and < 8 && (bytes[^1] & 0x80) != 0) value -= 1L << (8 * bytes.Length);
            return value;
        }

        private InvalidDataException Corrupt(string what) => new($"Corrupt checkpoint pickle at byte {_position}: {what}.");
    }
}
