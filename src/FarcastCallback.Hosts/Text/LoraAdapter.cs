using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Text;

/// <summary>Which attention projections get LoRA adapters.</summary>
[Flags]
public enum LoraTargets
{
    None = 0,

    /// <summary>The query projection (DistilBERT <c>q_lin</c>, BERT <c>attention.self.query</c>).</summary>
    Query = 1,

    /// <summary>The key projection (<c>k_lin</c>, <c>attention.self.key</c>).</summary>
    Key = 2,

    /// <summary>The value projection (<c>v_lin</c>, <c>attention.self.value</c>).</summary>
    Value = 4,

    /// <summary>The attention output projection (<c>out_lin</c>, <c>attention.output.dense</c>).</summary>
    Output = 8,
}

/// <summary>Settings of LoRA fine-tuning.</summary>
/// <param name="Rank">The rank r of each adapter.</param>
/// <param name="Alpha">The scaling numerator: adapters add (α / r) · B A x.</param>
/// <param name="Dropout">Dropout on an adapter's input.</param>
/// <param name="Targets">The projections that get adapters.</param>
public sealed record LoraSettings(int Rank = 8, double Alpha = 16, double Dropout = 0.1, LoraTargets Targets = LoraTargets.Query | LoraTargets.Value)
{
    /// <summary>Rank 8, α 16, dropout 0.1 on the query and value projections (PEFT's usual choice for BERT models).</summary>
    public static LoraSettings Default { get; } = new();

    /// <summary>Parses "q,k,v,o" (any subset, in any order).</summary>
    /// <exception cref="ArgumentException">A name is not one of q, k, v, o, or none is given.</exception>
    public static LoraTargets ParseTargets(string text)
    {
        var targets = LoraTargets.None;
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            targets |= name switch
            {
                "q" => LoraTargets.Query,
                "k" => LoraTargets.Key,
                "v" => LoraTargets.Value,
                "o" => LoraTargets.Output,
                _ => throw new ArgumentException($"--lora-targets: '{name}' is not one of q, k, v, o."),
            };
        }
        return targets == LoraTargets.None ? throw new ArgumentException("--lora-targets names no projection; give a subset of q,k,v,o.") : targets;
    }

    /// <summary>The largest rank: the largest hidden size a config may declare (a rank is at most the model's hidden size).</summary>
    public const int MaxRank = 16_384;

    /// <summary>The largest α: adapters add (α / rank) · B A x, and a scale of 10^300 turns every loss into NaN.</summary>
    public const double MaxAlpha = 100_000;

    /// <summary>Refuses a rank, α or dropout out of range.</summary>
    public void Validate()
    {
        if (Rank is < 1 or > MaxRank) throw new ArgumentException($"--lora must be a rank from 1 to {MaxRank} (the largest hidden size accepted); got {Rank}.");
        if (!(Alpha > 0) || Alpha > MaxAlpha) throw new ArgumentException($"--lora-alpha must be a positive number of at most {MaxAlpha}; got {Alpha}.");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"--lora-dropout must be in [0, 1); got {Dropout}.");
    }
}

/// <summary>
/// A low-rank update of one linear layer (Hu et al. 2021): the layer's output gains <c>(α / r) · B A dropout(x)</c> with
/// <c>A</c> [r, in] drawn as PyTorch draws a linear layer's weight (Kaiming-uniform, a = √5) and <c>B</c> [out, r] zero, so
/// a fresh adapter changes nothing. <see cref="Merge"/> folds <c>(α / r) · B A</c> into the layer's weight.
/// </summary>
public sealed class LoraAdapter : nn.Module<Tensor, Tensor>
{
    // Field names are the state-dict keys (PEFT's names), so they break the _camelCase convention on purpose.
    private readonly Parameter lora_A;
    private readonly Parameter lora_B;
    private readonly Dropout dropout;
    private readonly double _scaling;

    public LoraAdapter(Linear target, LoraSettings settings) : base(nameof(LoraAdapter))
    {
        var (outputs, inputs) = (target.weight!.shape[0], target.weight.shape[1]);
        lora_A = new Parameter(empty(settings.Rank, inputs, dtype: target.weight.dtype, device: target.weight.device));
        lora_B = new Parameter(zeros(outputs, settings.Rank, dtype: target.weight.dtype, device: target.weight.device));
        using (no_grad()) nn.init.kaiming_uniform_(lora_A, Math.Sqrt(5));
        dropout = nn.Dropout(settings.Dropout);
        _scaling = settings.Alpha / settings.Rank;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => dropout.forward(x).matmul(lora_A.t()).matmul(lora_B.t()) * _scaling;

    /// <summary>Adds this adapter's update to <paramref name="target"/>'s weight; the adapter is then spent.</summary>
    public void Merge(Linear target)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        target.weight!.add_(lora_B.matmul(lora_A) * _scaling);
    }
}
