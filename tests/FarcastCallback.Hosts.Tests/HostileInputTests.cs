using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using FarcastCallback.Hosts.FullBatch;
using FarcastCallback.Hosts.Mnist;
using FarcastCallback.Hosts.Text;

namespace FarcastCallback.Hosts.Tests;

/// <summary>Small hostile or mistaken files: each is refused with a message naming the file and the problem, before memory grows.</summary>
public sealed class HostileInputTests
{
    private static string Folder() => TinyDigits.TemporaryFolder();

    private static string Config(string folder, string json)
    {
        File.WriteAllText(Path.Combine(folder, "config.json"), json);
        return Path.Combine(folder, "config.json");
    }

    [TestCase("{\"model_type\":\"distilbert\",\"n_layers\":1000000}", "layers 1000000 is above the largest accepted, 256")]
    [TestCase("{\"model_type\":\"distilbert\",\"dim\":1000000000,\"n_heads\":1}", "hidden size 1000000000 is above the largest accepted")]
    [TestCase("{\"model_type\":\"bert\",\"vocab_size\":2000000000}", "vocab_size 2000000000 is above the largest accepted")]
    [TestCase("{\"model_type\":\"distilbert\",\"dim\":\"768\"}", "dim must be an integer")]
    [TestCase("{\"model_type\":\"distilbert\",\"dim\":768.5}", "dim must be an integer")]
    [TestCase("{\"model_type\":\"distilbert\",\"dim\":[768]}", "dim must be an integer")]
    [TestCase("{\"model_type\":\"distilbert\",\"dim\":1e30}", "dim must be an integer")]
    [TestCase("{\"model_type\":\"distilbert\",\"dropout\":\"0.1\"}", "dropout must be a finite number")]
    [TestCase("{\"model_type\":7}", "model_type must be a string")]
    [TestCase("[1, 2]", "not a JSON object")]
    [TestCase("{\"model_type\":\"bert\",\"hidden_size\":16384,\"num_hidden_layers\":200,\"num_attention_heads\":16,\"intermediate_size\":65536}", "parameters; at most 500,000,000")]
    public void A_config_with_absurd_sizes_or_wrong_types_is_refused_before_a_model_is_built(string json, string message)
    {
        var folder = Folder();
        var path = Config(folder, json);

        var error = Assert.Throws<InvalidDataException>(() => TransformerConfig.Read(path));

        Assert.That(error!.Message, Does.StartWith(path).And.Contain(message));
        Directory.Delete(folder, true);
    }

    [Test]
    public void Safetensors_whose_tensors_share_or_skip_bytes_are_refused()
    {
        var folder = Folder();
        var shared = Path.Combine(folder, "shared.safetensors");
        WriteSafetensors(shared, Enumerable.Range(0, 64).Select(i => ($"t{i}", 0L, 16L << 20)).ToArray(), dataBytes: 16 << 20);
        var hole = Path.Combine(folder, "hole.safetensors");
        WriteSafetensors(hole, new[] { ("a", 0L, 16L), ("b", 32L, 48L) }, dataBytes: 48);

        Assert.That(() => SafeTensorsFile.Read(shared), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("overlap"));
        Assert.That(() => SafeTensorsFile.Read(hole), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("a hole of 16 bytes"));
        Directory.Delete(folder, true);
    }

    [Test]
    public void A_gzipped_idx_file_that_inflates_beyond_its_header_is_refused()
    {
        var folder = Folder();
        TinyDigits.WriteIdx(folder, "train", perClass: 1, gzip: false);
        var images = Path.Combine(folder, "train-images-idx3-ubyte");
        var bomb = images + ".gz";
        using (var gzip = new GZipStream(File.Create(bomb), CompressionLevel.Optimal))
        {
            gzip.Write(File.ReadAllBytes(images));
            gzip.Write(new byte[64 << 20]);   // 64 MB of zeros behind a header of 10 images
        }
        File.Delete(images);
        var labels = Path.Combine(folder, "train-labels-idx1-ubyte");

        Assert.That(() => IdxFiles.Read(bomb, labels), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("holds more data than its header's 10 items"));
        Directory.Delete(folder, true);
    }

    /// <summary>An IDX pair of <paramref name="count"/> blank images, gzipped: a few hundred kilobytes that inflate to count × 784 bytes.</summary>
    private static void WriteBlankIdx(string folder, string prefix, int count, bool withData = true)
    {
        static byte[] BigEndian(params int[] values) => values.SelectMany(v => new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v }).ToArray();
        using (var images = new GZipStream(File.Create(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz")), CompressionLevel.Fastest))
        {
            images.Write(BigEndian(2051, count, 28, 28));
            if (withData)
                for (var i = 0; i < count; i++) images.Write(new byte[784]);
        }
        using var labels = new GZipStream(File.Create(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz")), CompressionLevel.Fastest);
        labels.Write(BigEndian(2049, count));
        if (withData) labels.Write(new byte[count]);
    }

    [Test]
    public void A_limit_decodes_only_the_images_it_draws_the_same_ones_a_sample_of_everything_gives()
    {
        var folder = Folder();
        TinyDigits.WriteIdx(folder, "train", perClass: 3, gzip: true);
        TinyDigits.WriteIdx(folder, "t10k", perClass: 2, gzip: false);

        var all = MnistData.Load(folder);
        var drawn = MnistData.Load(folder, limit: 7, seed: 0);
        var sampled = MnistData.Sample(all, 7, seed: 0);

        Assert.That(drawn.Count, Is.EqualTo(7));
        Assert.That(drawn.Labels, Is.EqualTo(sampled.Labels));
        Assert.That(drawn.PixelValues, Is.EqualTo(sampled.PixelValues));
        Directory.Delete(folder, true);
    }

    [Test]
    public void A_limit_of_100_on_a_gzip_that_inflates_to_200_000_images_keeps_100_and_the_peak_working_set_stays_small()
    {
        var folder = Folder();
        WriteBlankIdx(folder, "train", 200_000);   // 157 MB of pixels, 627 MB as floats, in a file of about 0.7 MB
        var peakBefore = CurrentPeak();

        var drawn = MnistData.Load(folder, limit: 100, seed: 0);

        Assert.That(drawn.Count, Is.EqualTo(100));
        Assert.That(CurrentPeak() - peakBefore, Is.LessThan(128L << 20));
        Directory.Delete(folder, true);
    }

    [Test]
    public void Image_files_that_declare_more_than_the_cap_in_all_are_refused_before_any_is_decoded()
    {
        var folder = Folder();
        WriteBlankIdx(folder, "train", 150_000, withData: false);
        WriteBlankIdx(folder, "t10k", 150_000, withData: false);

        Assert.That(() => MnistData.Load(folder, limit: 100), Throws.InstanceOf<InvalidDataException>()
            .With.Message.EqualTo($"{folder}: its image files declare 300000 images in all; at most {IdxFiles.MaxImages} are read."));
        Directory.Delete(folder, true);
    }

    [Test]
    public void A_preset_pointed_at_a_file_says_it_is_a_file()
    {
        var folder = Folder();
        var file = Path.Combine(folder, "data.bin");
        File.WriteAllText(file, "x");

        Assert.That(() => MnistPresets.NinoSplit(file), Throws.ArgumentException.With.Message.EqualTo($"--data '{file}' is a file, not a folder of IDX files."));
        Directory.Delete(folder, true);
    }

    [TestCase("", "is empty; a vocabulary lists one token per line.")]
    [TestCase("[PAD]\n[CLS]\n[SEP]\nhello\n", "has no [UNK] token; WordPiece needs [UNK], [CLS], [SEP].")]
    [TestCase("[PAD]\nhello\n", "has no [UNK], [CLS], [SEP] token")]
    public void A_vocabulary_that_cannot_encode_a_text_is_refused_when_it_is_read(string content, string message)
    {
        var folder = Folder();
        var path = Path.Combine(folder, "vocab.txt");
        File.WriteAllText(path, content);

        Assert.That(() => TextTokenizer.FromVocabulary(path), Throws.InstanceOf<InvalidDataException>().With.Message.StartsWith($"{path} {message}"));
        Directory.Delete(folder, true);
    }

    [Test]
    public void A_vocabulary_longer_than_the_models_embedding_is_refused_before_it_indexes_past_the_table()
    {
        var folder = Folder();
        var path = Path.Combine(folder, "vocab.txt");
        File.WriteAllLines(path, new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]" }.Concat(Enumerable.Range(0, 96).Select(i => $"token{i}")));
        var tokenizer = TextTokenizer.FromVocabulary(path);

        Assert.That(tokenizer.VocabularySize, Is.EqualTo(100));
        Assert.DoesNotThrow(() => tokenizer.ThrowIfLargerThan(100, path, "config.json"));
        Assert.That(() => tokenizer.ThrowIfLargerThan(64, path, "config.json"), Throws.InstanceOf<InvalidDataException>()
            .With.Message.EqualTo($"{path} lists 100 tokens but config.json declares vocab_size 64; they must belong to the same model."));
        Assert.That(TextTokenizer.BertBaseUncased().VocabularySize, Is.EqualTo(30_522));
        Directory.Delete(folder, true);
    }

    [Test]
    public void An_idx_count_of_0xFFFFFFFF_is_refused()
    {
        var folder = Folder();
        var path = Path.Combine(folder, "x-images-idx3-ubyte");
        File.WriteAllBytes(path, new byte[] { 0, 0, 8, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 28, 0, 0, 0, 28 });

        Assert.That(() => IdxFiles.Read(path, path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("declares 4294967295 items"));
        Directory.Delete(folder, true);
    }

    [Test]
    public void A_csv_field_of_hundreds_of_megabytes_is_refused_with_its_record()
    {
        var folder = Folder();
        var path = Path.Combine(folder, "texts.csv");
        using (var writer = new StreamWriter(path))
        {
            writer.WriteLine("text,label");
            writer.WriteLine("fine,a");
            writer.Write('"');
            writer.Write(new string('x', 3 << 20));   // an unclosed quote swallowing the rest of the file
        }

        Assert.That(() => CsvTexts.Read(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("texts.csv, record 3: a field longer than"));
        var numbers = Path.Combine(folder, "numbers.csv");
        File.WriteAllText(numbers, "x,label\n1,a\n\"" + new string('7', 3 << 20));
        Assert.That(() => TabularData.FromCsv(numbers, "label"), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("numbers.csv, record 3: a field longer than"));
        Directory.Delete(folder, true);
    }

    [Test]
    public void The_bombs_above_leave_the_peak_working_set_within_half_a_gigabyte()
    {
        // Each file below would have made this process allocate a gigabyte or more before it was refused.
        var peakBefore = CurrentPeak();
        A_gzipped_idx_file_that_inflates_beyond_its_header_is_refused();
        Safetensors_whose_tensors_share_or_skip_bytes_are_refused();
        A_config_with_absurd_sizes_or_wrong_types_is_refused_before_a_model_is_built("{\"model_type\":\"distilbert\",\"n_layers\":1000000}", "layers");

        Assert.That(CurrentPeak() - peakBefore, Is.LessThan(512L << 20));
    }

    private static long CurrentPeak()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    private static void WriteSafetensors(string path, (string Key, long Begin, long End)[] entries, int dataBytes)
    {
        var header = new JsonObject();
        foreach (var (key, begin, end) in entries)
            header[key] = new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray((end - begin) / 4), ["data_offsets"] = new JsonArray(begin, end) };
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes((ulong)json.Length));
        file.Write(json);
        file.Write(new byte[dataBytes]);
    }
}

public sealed class SizeArgumentTests
{
    [Test]
    public void A_batch_larger_than_the_data_names_the_option() =>
        Assert.That(() => new FarcastCallback.Hosts.Training.BatchOrder(100, 101, seed: 1),
            Throws.ArgumentException.With.Message.EqualTo("--batch-size 101 must be between 1 and the 100 training examples."));

    [Test]
    public void A_verification_set_larger_than_its_share_is_refused_not_clamped()
    {
        var (pixels, labels) = TinyDigits.Make(perClass: 20);
        var all = new MnistImages(pixels.Select(p => p / 255f).ToArray(), labels);

        Assert.That(() => MnistData.Split(all, seed: 1, verification: 100_000),
            Throws.ArgumentException.With.Message.Contains("--verify-images must be between 0 and 20"));
    }
}
