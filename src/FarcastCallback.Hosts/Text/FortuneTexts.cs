using System.Text;

namespace FarcastCallback.Hosts.Text;

/// <summary>
/// Debian's <c>fortunes</c> package as a text-classification set: each category file holds texts separated by lines
/// of a single <c>%</c>; the label is the file's name.
/// </summary>
public static class FortuneTexts
{
    /// <summary>Where Debian installs the category files.</summary>
    public const string DefaultPath = "/usr/share/games/fortunes";

    /// <summary>Five topics with 700 or more texts each.</summary>
    public static readonly IReadOnlyList<string> DefaultCategories = new[] { "computers", "definitions", "people", "politics", "songs-poems" };

    /// <summary>Reads <paramref name="categories"/> from <paramref name="folder"/>; at most <paramref name="perCategory"/> texts each (0: all).</summary>
    public static LabeledTexts Read(string folder, IReadOnlyList<string> categories, int perCategory = 0)
    {
        if (File.Exists(folder)) throw new ArgumentException($"--data '{folder}' is a file, not a folder of fortune files.");
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Fortunes folder '{folder}' does not exist. Install Debian's fortunes package (apt-get install fortunes) or pass --data.");
        if (categories.Count < 2) throw new ArgumentException($"Text classification needs at least 2 categories; got {categories.Count}.");
        var texts = new List<string>();
        var labels = new List<int>();
        for (var label = 0; label < categories.Count; label++)
        {
            var path = Path.Combine(folder, categories[label]);
            if (!File.Exists(path))
                throw new FileNotFoundException($"Fortune category '{categories[label]}' not found in {folder}.", path);
            var entries = Split(File.ReadAllText(path, Encoding.UTF8));
            if (entries.Count == 0) throw new InvalidDataException($"Fortune category '{categories[label]}' ({path}) holds no texts.");
            foreach (var text in perCategory > 0 ? entries.Take(perCategory) : entries)
            {
                texts.Add(text);
                labels.Add(label);
            }
        }
        return new LabeledTexts(texts, labels, categories.ToArray());
    }

    /// <summary>The texts of one fortune file, whitespace-trimmed, empty ones dropped.</summary>
    internal static IReadOnlyList<string> Split(string content) =>
        content.Replace("\r\n", "\n").Split("\n%\n").Select(t => t.Trim().TrimEnd('%').Trim()).Where(t => t.Length > 0).ToArray();
}
