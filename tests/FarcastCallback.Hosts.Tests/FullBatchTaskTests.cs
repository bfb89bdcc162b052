using FarcastCallback.Hosts.FullBatch;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Tests;

public sealed class FullBatchTaskTests
{
    /// <summary>u(x) = sin(πx): the exact solution of the Poisson problem, as a model.</summary>
    private sealed class ExactSolution() : nn.Module<Tensor, Tensor>("exact")
    {
        public override Tensor forward(Tensor x) => (x * Math.PI).sin();
    }

    [Test]
    public void The_exact_solution_has_no_residual_and_no_error()
    {
        using var task = new PinnTask(points: 64);
        using var exact = new ExactSolution();

        Assert.That(task.EvaluateLoss(exact), Is.LessThan(1e-6), "u'' + π² sin(πx) = 0 and u(0) = u(1) = 0");
        Assert.That(((IFullBatchTask)task).Read(exact).Target, Is.LessThan(1e-6), "the target is the L2 error against the exact solution");
    }

    [Test]
    public void A_few_adam_steps_lower_each_tasks_loss()
    {
        using var moons = new ClassifierTask(TabularData.TwoMoons(train: 200, validation: 100, test: 100));
        using var spirals = new ClassifierTask(TabularData.Spirals(train: 300, validation: 100, test: 100));
        using var pinn = new PinnTask(points: 32);
        using var inr = new InrTask(InrImage.Procedural(16), hidden: 32, layers: 2, activation: CoordinateActivation.Tanh);
        foreach (var task in new IFullBatchTask[] { moons, spirals, pinn, inr })
        {
            random.manual_seed(1);
            using var model = task.CreateModel();
            var optimizer = optim.Adam(model.parameters(), 1e-2);
            var before = task.EvaluateLoss(model);
            for (var i = 0; i < 30; i++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                task.Loss(model).backward();
                optimizer.step();
            }
            Assert.That(task.EvaluateLoss(model), Is.LessThan(before), task.Name);
        }
    }

    [Test]
    public void Psnr_is_ten_log_ten_of_one_over_the_mean_squared_error()
    {
        using var task = new InrTask(InrImage.Procedural(8), hidden: 4, layers: 1);
        random.manual_seed(2);
        using var model = task.CreateModel();

        var reading = ((IFullBatchTask)task).Read(model);
        Assert.That(reading.Target, Is.EqualTo(task.EvaluateLoss(model)).Within(1e-12), "the INR races on its fit's MSE");
        Assert.That(reading.Figure, Is.EqualTo(10 * Math.Log10(1 / task.EvaluateLoss(model))).Within(1e-9));
        Assert.That(task.DescribeTarget(0.001, null), Is.EqualTo("PSNR 30.00 dB (MSE 0.001)"));
    }

    [Test]
    public void The_procedural_image_is_deterministic_and_in_the_unit_range()
    {
        var a = InrImage.Procedural(32);
        var b = InrImage.Procedural(32);

        Assert.That(a.Values, Is.EqualTo(b.Values));
        Assert.That(a.Values, Has.All.InRange(0f, 1f));
        Assert.That(a.Values.Distinct().Count(), Is.GreaterThan(50), "edges, gradient and texture");
    }

    [TestCase(true, 1)]
    [TestCase(false, 3)]
    public void A_png_loads_as_grayscale_or_rgb_at_the_requested_size(bool gray, int channels)
    {
        var path = Path.Combine(TinyDigits.TemporaryFolder(), "image.png");
        using (var bitmap = new SKBitmap(40, 30))
        {
            for (var y = 0; y < 30; y++)
                for (var x = 0; x < 40; x++)
                    bitmap.SetPixel(x, y, gray ? new SKColor((byte)(6 * x), (byte)(6 * x), (byte)(6 * x)) : new SKColor((byte)(6 * x), (byte)(8 * y), 50));
            using var file = File.Create(path);
            bitmap.Encode(file, SKEncodedImageFormat.Png, 100);
        }

        var image = InrImage.Load(path, 16);

        Assert.That((image.Size, image.Channels, image.Values.Length), Is.EqualTo((16, channels, channels * 256)));
        Assert.That(image.Values, Has.All.InRange(0f, 1f));
    }

    private static string NoisyPng(int width, int height)
    {
        var path = Path.Combine(TinyDigits.TemporaryFolder(), "noisy.png");
        var random = new Random(5);
        using var bitmap = new SKBitmap(width, height);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        using var file = File.Create(path);
        bitmap.Encode(file, SKEncodedImageFormat.Png, 100);
        return path;
    }

    [Test]
    public void A_truncated_png_is_refused_not_fitted_as_a_blank_image()
    {
        var path = NoisyPng(64, 64);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 6 / 10)]);

        var error = Assert.Throws<InvalidDataException>(() => InrImage.Load(path, 16));

        Assert.That(error!.Message, Does.StartWith(path).And.Contain("could not be decoded completely"));
    }

    [TestCase(6_000, "its header claims 6000 × 6000 pixels, more than a file of {0} bytes can hold.")]
    [TestCase(16_384, "16384 × 16384 pixels; images of up to 40,000,000 pixels are accepted.")]
    public void A_png_header_that_claims_more_pixels_than_its_file_or_the_cap_allows_is_refused_before_decoding(int side, string message)
    {
        var path = NoisyPng(8, 8);
        var bytes = File.ReadAllBytes(path);
        // IHDR's width and height (bytes 16-23) are patched, its CRC (bytes 29-32) recomputed.
        foreach (var offset in new[] { 16, 20 }) bytes.AsSpan(offset, 4).SetBigEndian(side);
        bytes.AsSpan(29, 4).SetBigEndian(Crc32(bytes.AsSpan(12, 17)));
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => InrImage.Load(path, 16));

        Assert.That(error!.Message, Is.EqualTo($"{path}: " + string.Format(System.Globalization.CultureInfo.InvariantCulture, message, bytes.Length)));
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    [Test]
    public void A_file_that_is_not_an_image_is_refused_with_its_name()
    {
        var path = Path.Combine(TinyDigits.TemporaryFolder(), "notes.png");
        File.WriteAllText(path, "not an image");

        var error = Assert.Throws<InvalidDataException>(() => InrImage.Load(path, 16));

        Assert.That(error!.Message, Does.Contain("notes.png").And.Contain("not a PNG or JPEG"));
    }

    [Test]
    public void Two_moons_and_spirals_are_balanced_standardised_fixed_and_split_three_ways()
    {
        var data = TabularData.TwoMoons(train: 400, validation: 60, test: 100);
        var spirals = TabularData.Spirals(train: 300, validation: 90, test: 60);

        Assert.That(data.Train.Labels.Count(l => l == 0), Is.EqualTo(200));
        Assert.That(data.Train.Features.Average(f => f[0]), Is.EqualTo(0).Within(1e-5));
        Assert.That(TabularData.TwoMoons(train: 400, validation: 60, test: 100).Test.Features[7], Is.EqualTo(data.Test.Features[7]));
        Assert.That((data.Validation.Count, spirals.Validation.Count, spirals.Test.Count), Is.EqualTo((60, 90, 60)));
        Assert.That(spirals.Classes, Has.Count.EqualTo(3));
        Assert.That(spirals.Train.Labels.Count(l => l == 2), Is.EqualTo(100));
        Assert.That(spirals.Train.Features.Average(f => f[1]), Is.EqualTo(0).Within(1e-5));
    }

    [TestCase("a,b,label\n1,2,x\n3,4,x\n", "holds 1 class(es)")]
    [TestCase("a,b,label\n1,oops,x\n", "record 2: column 'b' is 'oops', not a finite number")]
    [TestCase("a,b,kind\n1,2,x\n", "has no column 'label'")]
    [TestCase("a,b,label\n1,2\n", "record 2: 2 fields, the header has 3")]
    [TestCase("a,b,label\n1,2,x\n1,,y\n", "record 3: missing value in column 'b'")]
    [TestCase("a,b,label\n1,NA,x\n", "record 2: missing value in column 'b' ('NA')")]
    [TestCase("a,b,label\n1,2,?\n", "record 2: missing label in column 'label'")]
    public void A_bad_csv_is_refused_naming_the_problem(string content, string message)
    {
        var path = Path.Combine(TinyDigits.TemporaryFolder(), "data.csv");
        File.WriteAllText(path, content);

        var error = Assert.Throws<InvalidDataException>(() => TabularData.FromCsv(path, "label"));

        Assert.That(error!.Message, Does.Contain(message));
    }

    [Test]
    public void A_csv_with_numeric_columns_splits_sixty_twenty_twenty()
    {
        var path = Path.Combine(TinyDigits.TemporaryFolder(), "data.csv");
        File.WriteAllLines(path, new[] { "x,label,y" }.Concat(Enumerable.Range(0, 50).Select(i => $"{i},{(i % 3 == 0 ? "a" : "b")},{i * 0.5}")));

        var data = TabularData.FromCsv(path, "label");

        Assert.That((data.Features, data.Classes.Count, data.Train.Count, data.Validation.Count, data.Test.Count), Is.EqualTo((2, 2, 30, 10, 10)));
    }

    [TestCase(10_000, false)]
    [TestCase(10_001, true)]
    public void A_record_of_more_than_ten_thousand_fields_is_refused_and_one_of_exactly_that_many_is_not(int fields, bool refused)
    {
        var path = Path.Combine(TinyDigits.TemporaryFolder(), "wide.csv");
        var header = string.Join(",", Enumerable.Range(0, fields - 1).Select(i => $"f{i}").Append("label"));
        var row = string.Join(",", Enumerable.Repeat("1", fields - 1));
        File.WriteAllLines(path, new[] { header }.Concat(Enumerable.Range(0, 10).Select(i => $"{row},{i % 2}")));

        TestDelegate read = () => TabularData.FromCsv(path, "label");

        if (refused) Assert.That(read, Throws.InstanceOf<InvalidDataException>().With.Message.Contains("record 1: more than 10,000 fields"));
        else Assert.That(read, Throws.Nothing);
    }

    [Test]
    public void Numeric_labels_in_different_spellings_are_one_class()
    {
        var path = Path.Combine(TinyDigits.TemporaryFolder(), "data.csv");
        var spellings = new[] { "1", "1.0", "01", "2", "2.00" };
        File.WriteAllLines(path, new[] { "x,label" }.Concat(Enumerable.Range(0, 20).Select(i => $"{i},{spellings[i % spellings.Length]}")));

        var data = TabularData.FromCsv(path, "label");

        Assert.That(data.Classes, Is.EqualTo(new[] { "1", "2" }));
    }
}

internal static class BigEndianSpan
{
    public static void SetBigEndian(this Span<byte> bytes, uint value) => System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, value);

    public static void SetBigEndian(this Span<byte> bytes, int value) => System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes, value);
}
