using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using FarcastCallback.Hosts.Text;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Tests;

/// <summary>pytorch_model.bin read by the restricted unpickler; the archives are written here the way torch.save lays them out.</summary>
public sealed class TorchPickleTests
{
    [Test]
    public void A_state_dict_pickle_loads_with_shared_storages_offsets_and_strides()
    {
        var path = WriteCheckpoint(new PickleWriter().StateDict(
            ("w", new StorageSpec("0", 6), 0, new long[] { 2, 3 }, new long[] { 3, 1 }),
            ("t", new StorageSpec("0", 6), 0, new long[] { 3, 2 }, new long[] { 1, 3 }),     // the transpose of w: same storage
            ("b", new StorageSpec("1", 4), 1, new long[] { 3 }, new long[] { 1 })),
            new Dictionary<string, float[]> { ["0"] = new float[] { 0, 1, 2, 3, 4, 5 }, ["1"] = new float[] { 9, 7, 8, 6 } });

        var tensors = TorchPickleCheckpoint.Read(path);

        Assert.That(tensors["w"].data<float>().ToArray(), Is.EqualTo(new float[] { 0, 1, 2, 3, 4, 5 }));
        Assert.That(tensors["t"].shape, Is.EqualTo(new long[] { 3, 2 }));
        Assert.That(tensors["t"].data<float>().ToArray(), Is.EqualTo(new float[] { 0, 3, 1, 4, 2, 5 }));
        Assert.That(tensors["b"].data<float>().ToArray(), Is.EqualTo(new float[] { 7, 8, 6 }));
    }

    [Test]
    public void A_pickle_that_would_run_code_is_refused_by_name()
    {
        var hostile = new PickleWriter();
        hostile.Proto().Global("os", "system").Unicode("echo owned > /tmp/farcast-owned").Op(0x85).Op('R').Op('.');
        var path = WriteCheckpoint(hostile, new Dictionary<string, float[]>());

        Assert.That(() => TorchPickleCheckpoint.Read(path),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("'os.system'").And.Message.Contains("refused"));
        var builtins = new PickleWriter();
        builtins.Proto().Global("builtins", "eval").Unicode("1").Op(0x85).Op('R').Op('.');
        Assert.That(() => TorchPickleCheckpoint.Read(WriteCheckpoint(builtins, new Dictionary<string, float[]>())),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("'builtins.eval'"));
    }

    [Test]
    public void A_tensor_reaching_past_its_storage_or_a_short_storage_file_is_an_error()
    {
        var tooFar = WriteCheckpoint(new PickleWriter().StateDict(("w", new StorageSpec("0", 6), 2, new long[] { 2, 3 }, new long[] { 3, 1 })),
            new Dictionary<string, float[]> { ["0"] = new float[6] });
        var shortFile = WriteCheckpoint(new PickleWriter().StateDict(("w", new StorageSpec("0", 6), 0, new long[] { 6 }, new long[] { 1 })),
            new Dictionary<string, float[]> { ["0"] = new float[5] });

        Assert.That(() => TorchPickleCheckpoint.Read(tooFar), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("reaches element 7 of storage '0', which holds 6"));
        Assert.That(() => TorchPickleCheckpoint.Read(shortFile), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("holds 20 bytes, not 6 × 4"));
    }

    [Test]
    public void A_view_larger_than_its_storage_is_refused_before_it_is_materialised()
    {
        // One float viewed as 250,000,000 with stride 0 would become a 1 GB tensor.
        var path = WriteCheckpoint(new PickleWriter().StateDict(("w", new StorageSpec("0", 1), 0, new long[] { 250_000_000 }, new long[] { 0 })),
            new Dictionary<string, float[]> { ["0"] = new float[1] });

        Assert.That(() => TorchPickleCheckpoint.Read(path),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("250000000 elements is a view of storage '0', which holds 1"));
    }

    [Test]
    public void Sizes_whose_product_overflows_are_refused()
    {
        var path = WriteCheckpoint(new PickleWriter().StateDict(("w", new StorageSpec("0", 4), 0, new long[] { 1L << 62, 4 }, new long[] { 4, 1 })),
            new Dictionary<string, float[]> { ["0"] = new float[4] });

        Assert.That(() => TorchPickleCheckpoint.Read(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("overflows 64 bits"));
    }

    [Test]
    public void A_storage_entry_that_inflates_beyond_its_declared_size_is_refused_while_reading()
    {
        var path = WriteCheckpoint(new PickleWriter().StateDict(("w", new StorageSpec("0", 6), 0, new long[] { 6 }, new long[] { 1 })),
            new Dictionary<string, float[]> { ["0"] = new float[4_000_000] });

        Assert.That(() => TorchPickleCheckpoint.Read(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("storage '0' inflates beyond the 24 bytes"));
    }

    [Test]
    public void Storages_beyond_what_the_model_can_need_are_refused_before_they_are_read()
    {
        var path = WriteCheckpoint(new PickleWriter().StateDict(("w", new StorageSpec("0", 1000), 0, new long[] { 1000 }, new long[] { 1 })),
            new Dictionary<string, float[]> { ["0"] = new float[1000] });

        Assert.That(() => TorchPickleCheckpoint.Read(path, maxBytes: 1000),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("declares 4,000 bytes"));
    }

    [Test]
    public void A_checkpoint_directory_with_only_pytorch_model_bin_loads_the_model()
    {
        random.manual_seed(8);
        var config = new TransformerConfig(TransformerArchitecture.DistilBert, VocabSize: 30, Hidden: 8, Layers: 1, Heads: 2, FeedForward: 16, MaxPositions: 8, Labels: 2);
        using var model = TransformerClassifier.Create(config);
        var directory = Path.Combine(Path.GetTempPath(), $"farcast-bin-{Guid.NewGuid():N}");
        TransformerCheckpoint.Save(model, directory);
        File.Delete(Path.Combine(directory, "model.safetensors"));
        var state = model.state_dict().ToArray();
        var entries = state.Select((p, i) => (p.Key, new StorageSpec(i.ToString(), p.Value.numel()), 0L, p.Value.shape, Strides(p.Value.shape))).ToArray();
        WriteCheckpoint(new PickleWriter().StateDict(entries), state.Select((p, i) => (i.ToString(), p.Value.data<float>().ToArray())).ToDictionary(p => p.Item1, p => p.Item2),
            Path.Combine(directory, "pytorch_model.bin"));

        using var loaded = TransformerCheckpoint.Load(directory, labels: 2);

        foreach (var (key, value) in model.state_dict())
            Assert.That(loaded.state_dict()[key].allclose(value, rtol: 0, atol: 0), key);
    }

    private static long[] Strides(long[] shape)
    {
        var strides = new long[shape.Length];
        long step = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = step;
            step *= shape[i];
        }
        return strides;
    }

    private static string WriteCheckpoint(PickleWriter pickle, IReadOnlyDictionary<string, float[]> storages, string? path = null)
    {
        path ??= Path.Combine(Path.GetTempPath(), $"farcast-{Guid.NewGuid():N}.bin");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        void Entry(string name, byte[] bytes)
        {
            using var stream = zip.CreateEntry("archive/" + name, CompressionLevel.NoCompression).Open();
            stream.Write(bytes);
        }
        Entry("data.pkl", pickle.Bytes);
        Entry("byteorder", Encoding.ASCII.GetBytes("little"));
        foreach (var (key, values) in storages) Entry("data/" + key, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        return path;
    }

    private sealed record StorageSpec(string Key, long Elements);

    /// <summary>Writes pickle protocol 2 the way torch.save pickles a state dict.</summary>
    private sealed class PickleWriter
    {
        private readonly MemoryStream _stream = new();

        public byte[] Bytes => _stream.ToArray();

        public PickleWriter Op(int op)
        {
            _stream.WriteByte((byte)op);
            return this;
        }

        public PickleWriter Proto() => Op(0x80).Op(2);

        public PickleWriter Global(string module, string name)
        {
            Op('c');
            _stream.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
            return this;
        }

        public PickleWriter Unicode(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            Op('X');
            _stream.Write(BitConverter.GetBytes((uint)bytes.Length));
            _stream.Write(bytes);
            return this;
        }

        /// <summary>BININT for 32-bit values, LONG1 (8 little-endian bytes) beyond, as pickle writes them.</summary>
        public PickleWriter Int(long value)
        {
            if (value is >= int.MinValue and <= int.MaxValue)
            {
                Op('J');
                _stream.Write(BitConverter.GetBytes((int)value));
                return this;
            }
            Op(0x8a).Op(8);
            _stream.Write(BitConverter.GetBytes(value));
            return this;
        }

        public PickleWriter Tuple(IEnumerable<long> values)
        {
            Op('(');
            foreach (var v in values) Int(v);
            return Op('t');
        }

        public PickleWriter StateDict(params (string Key, StorageSpec Storage, long Offset, long[] Size, long[] Stride)[] tensors)
        {
            Proto().Global("collections", "OrderedDict").Op('q').Op(0).Op(')').Op('R').Op('(');
            foreach (var (key, storage, offset, size, stride) in tensors)
            {
                Unicode(key).Global("torch._utils", "_rebuild_tensor_v2").Op('(');
                Op('(').Unicode("storage").Global("torch", "FloatStorage").Unicode(storage.Key).Unicode("cpu").Int(storage.Elements).Op('t').Op('Q');
                Int(offset).Tuple(size).Tuple(stride).Op(0x89).Op('h').Op(0).Op(')').Op('R').Op('t').Op('R');
            }
            Op('u').Op('}').Unicode("_metadata").Op('}').Op('s').Op('b');
            return Op('.');
        }
    }
}
