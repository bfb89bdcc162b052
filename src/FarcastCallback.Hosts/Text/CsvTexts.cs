using System.Text;
using FarcastCallback.Hosts.Data;

namespace FarcastCallback.Hosts.Text;

/// <summary>
/// A CSV file with a header row as a text-classification set (RFC 4180: quoted fields may hold commas, quotes and
/// line breaks), columns chosen by name — e.g. the Consumer Complaint Database export with
/// <c>Consumer complaint narrative</c> → <c>Product</c>. Rows with an empty text are skipped and counted.
/// </summary>
public static class CsvTexts
{
    /// <summary>Reads the file; <paramref name="labels"/>, when given, fixes the classes and their order, and any other label is an error.</summary>
    public static (LabeledTexts Texts, int SkippedEmpty) Read(string path, string textColumn = "text", string labelColumn = "label", IReadOnlyList<string>? labels = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file '{path}' does not exist.", path);
        if (textColumn == labelColumn) throw new ArgumentException($"--text-column and --label-column are both '{textColumn}'; a text cannot be its own label.");
        if (labels is { Count: 0 }) throw new ArgumentException("--labels names no label.");
        using var reader = new StreamReader(path, CsvRecords.Strict);
        using var rows = CsvRecords.Read(reader, path).GetEnumerator();
        if (!rows.MoveNext()) throw new InvalidDataException($"{path} is empty: a header row with '{textColumn}' and '{labelColumn}' is needed.");
        var header = rows.Current;
        int Column(string name) => Array.IndexOf(header, name) is var index and >= 0
            ? index
            : throw new InvalidDataException($"{path} has no column '{name}'; its columns are: {string.Join(", ", header.Select(h => $"'{h}'"))}.");
        var (textIndex, labelIndex) = (Column(textColumn), Column(labelColumn));
        var names = labels?.ToList() ?? new List<string>();
        var fixedLabels = labels is not null;
        var (texts, classes, skipped, line) = (new List<string>(), new List<int>(), 0, 1);
        while (rows.MoveNext())
        {
            line++;
            var row = rows.Current;
            if (row is [""]) continue;   // a blank line
            if (row.Length <= Math.Max(textIndex, labelIndex))
                throw new InvalidDataException($"{path}, record {line}: {row.Length} fields, but column '{(row.Length <= textIndex ? textColumn : labelColumn)}' is field {Math.Max(textIndex, labelIndex) + 1}.");
            var text = row[textIndex].Trim();
            if (text.Length == 0)
            {
                skipped++;
                continue;
            }
            var label = row[labelIndex].Trim();
            var index = names.IndexOf(label);
            if (index < 0)
            {
                if (fixedLabels)
                    throw new InvalidDataException($"{path}, record {line}: unknown label '{label}'; expected one of {string.Join(", ", names.Select(n => $"'{n}'"))}.");
                if (label.Length == 0) throw new InvalidDataException($"{path}, record {line}: empty label in column '{labelColumn}'.");
                names.Add(label);
                index = names.Count - 1;
            }
            texts.Add(text);
            classes.Add(index);
        }
        if (texts.Count == 0) throw new InvalidDataException($"{path}: no record has a non-empty '{textColumn}' ({skipped} empty).");
        if (classes.Distinct().Count() < 2)
            throw new InvalidDataException($"{path}: column '{labelColumn}' holds {classes.Distinct().Count()} class; text classification needs at least 2.");
        return (new LabeledTexts(texts, classes, names), skipped);
    }
}
