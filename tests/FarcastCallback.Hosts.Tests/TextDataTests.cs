using FarcastCallback.Hosts.Text;

namespace FarcastCallback.Hosts.Tests;

public sealed class TextDataTests
{
    [Test]
    public void Fortune_files_split_at_percent_lines_and_name_the_classes()
    {
        var folder = TempFolder();
        File.WriteAllText(Path.Combine(folder, "cats"), "A cat.\n%\nTwo\nlines.\n%\n\n%\nLast cat\n%\n");
        File.WriteAllText(Path.Combine(folder, "dogs"), "Woof.\n%\nWoof woof.");

        var texts = FortuneTexts.Read(folder, new[] { "dogs", "cats" });

        Assert.That(texts.Texts, Is.EqualTo(new[] { "Woof.", "Woof woof.", "A cat.", "Two\nlines.", "Last cat" }));
        Assert.That(texts.Labels, Is.EqualTo(new[] { 0, 0, 1, 1, 1 }));
        Assert.That(texts.LabelNames, Is.EqualTo(new[] { "dogs", "cats" }));
        Assert.That(() => FortuneTexts.Read(folder, new[] { "dogs", "birds" }), Throws.InstanceOf<FileNotFoundException>().With.Message.Contains("'birds'"));
    }

    [Test]
    public void The_stratified_split_keeps_class_shares_and_is_fixed_by_its_seed()
    {
        var texts = new LabeledTexts(Enumerable.Range(0, 300).Select(i => $"text {i}").ToArray(), Enumerable.Range(0, 300).Select(i => i < 200 ? 0 : 1).ToArray(), new[] { "a", "b" });

        var split = TextSplit.Stratified(texts, seed: 3, verification: 20);

        Assert.That(split.Test.Count, Is.EqualTo(30));
        Assert.That(split.Test.Labels.Count(l => l == 0), Is.EqualTo(20));
        Assert.That(split.Validation.Labels.Count(l => l == 1), Is.EqualTo(10));
        Assert.That(split.Verification.Count, Is.EqualTo(20));
        Assert.That(split.Verification.Labels.Count(l => l == 1), Is.EqualTo(10), "the guard batch is balanced");
        Assert.That(split.Train.Count + split.Verification.Count + split.Validation.Count + split.Test.Count, Is.EqualTo(300));
        Assert.That(split.Train.Texts.Intersect(split.Test.Texts), Is.Empty);
        Assert.That(TextSplit.Stratified(texts, seed: 3, verification: 20).Test.Texts, Is.EqualTo(split.Test.Texts));
    }

    [Test]
    public void A_csv_with_quoted_fields_reads_by_column_name_and_skips_empty_texts()
    {
        var path = Path.Combine(TempFolder(), "complaints.csv");
        File.WriteAllText(path, "Date,Product,Consumer complaint narrative\n" +
            "2020,Mortgage,\"Late fee, again\"\n2020,Credit card,\n2021,Credit card,\"He said \"\"no\"\"\nthen left\"\r\n\n2021,Mortgage,Escrow\n");

        var (texts, skipped) = CsvTexts.Read(path, "Consumer complaint narrative", "Product");

        Assert.That(texts.Texts, Is.EqualTo(new[] { "Late fee, again", "He said \"no\"\nthen left", "Escrow" }));
        Assert.That(texts.Labels, Is.EqualTo(new[] { 0, 1, 0 }));
        Assert.That(texts.LabelNames, Is.EqualTo(new[] { "Mortgage", "Credit card" }));
        Assert.That(skipped, Is.EqualTo(1));
    }

    [Test]
    public void Csv_errors_name_the_missing_column_the_unknown_label_and_the_record()
    {
        var path = Path.Combine(TempFolder(), "data.csv");
        File.WriteAllText(path, "text,label\nhello,a\nworld,c\n");

        Assert.That(() => CsvTexts.Read(path, "body", "label"),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("no column 'body'").And.Message.Contains("'text', 'label'"));
        Assert.That(() => CsvTexts.Read(path, labels: new[] { "a", "b" }),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("record 3: unknown label 'c'"));
        File.WriteAllText(path, "text,label\n,a\n  ,b\n");
        Assert.That(() => CsvTexts.Read(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("no record has a non-empty 'text' (2 empty)"));
        File.WriteAllText(path, "text,label\n\"open,a\n");
        Assert.That(() => CsvTexts.Read(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("inside a quoted field"));
    }

    private static string TempFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"farcast-text-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }
}
