namespace FarcastCallback.Hosts.Text;

/// <summary>Texts with class labels 0 .. <c>LabelNames.Count − 1</c>.</summary>
public sealed record LabeledTexts(IReadOnlyList<string> Texts, IReadOnlyList<int> Labels, IReadOnlyList<string> LabelNames)
{
    /// <summary>Number of texts.</summary>
    public int Count => Texts.Count;

    /// <summary>The texts at <paramref name="indices"/>, same label names.</summary>
    public LabeledTexts Select(IEnumerable<int> indices)
    {
        var chosen = indices.ToArray();
        return new LabeledTexts(chosen.Select(i => Texts[i]).ToArray(), chosen.Select(i => Labels[i]).ToArray(), LabelNames);
    }
}

/// <summary>A seeded, stratified split: train, verification (the farcast guard's held-out batch), validation and test.</summary>
public sealed record TextSplit(LabeledTexts Train, LabeledTexts Verification, LabeledTexts Validation, LabeledTexts Test)
{
    /// <summary>
    /// Per class, shuffled with <paramref name="seed"/>: 10 % test, 10 % validation, the rest train; then
    /// <paramref name="verification"/> texts drawn evenly over classes from train.
    /// </summary>
    public static TextSplit Stratified(LabeledTexts all, int seed, int verification = 128)
    {
        var random = new Random(seed);
        var (train, validation, test) = (new List<int>(), new List<int>(), new List<int>());
        for (var label = 0; label < all.LabelNames.Count; label++)
        {
            var members = Enumerable.Range(0, all.Count).Where(i => all.Labels[i] == label).ToArray();
            if (members.Length < 10)
                throw new InvalidDataException($"Class '{all.LabelNames[label]}' has {members.Length} texts; a stratified split needs at least 10 per class.");
            random.Shuffle(members);
            var tenth = members.Length / 10;
            test.AddRange(members[..tenth]);
            validation.AddRange(members[tenth..(2 * tenth)]);
            train.AddRange(members[(2 * tenth)..]);
        }
        var trainArray = train.ToArray();
        random.Shuffle(trainArray);
        if (verification < 0 || verification > trainArray.Length / 5)
            throw new ArgumentException($"--verify-texts must be between 0 and {trainArray.Length / 5} (a fifth of the {trainArray.Length} training texts); got {verification}.");
        var verifyCount = verification;
        // Round-robin over classes so the guard batch is balanced.
        var verify = trainArray.GroupBy(i => all.Labels[i]).SelectMany(g => g.Select((index, rank) => (index, rank)))
            .OrderBy(p => p.rank).ThenBy(p => all.Labels[p.index]).Take(verifyCount).Select(p => p.index).ToHashSet();
        return new TextSplit(all.Select(trainArray.Where(i => !verify.Contains(i))), all.Select(trainArray.Where(verify.Contains)),
            all.Select(validation), all.Select(test));
    }
}
