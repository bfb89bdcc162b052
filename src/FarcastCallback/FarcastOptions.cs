using System.ComponentModel.DataAnnotations;

namespace FarcastCallback;

/// <summary>
/// Settings of <see cref="FarcastOptimizer"/>, bound from the configuration section <c>Farcast</c>
/// (<see cref="SectionName"/>). Ranges are enforced by <see cref="FarcastOptionsValidator"/> at start-up and in
/// the optimizer's constructor; every message names the configuration key.
/// </summary>
/// <remarks>
/// Windows count snapshots taken every <see cref="Stride"/> real steps. A fitting window observes
/// <see cref="InputSteps"/> + <see cref="Horizon"/> - 1 snapshots after its first: the first
/// <see cref="InputSteps"/> form the input window (LFD-2 uses only its first and last weight), the next
/// <see cref="Horizon"/> are the targets the map is fitted to. The map is then applied to the most recent input window
/// and the weights of <see cref="Horizon"/> snapshots ahead (or the rung a <see cref="HorizonSearch"/> keeps) are
/// written into the model. With <see cref="RefitEvery"/> the next windows reuse the map on a fresh input window only.
/// </remarks>
public sealed class FarcastOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Farcast";

    /// <summary>Real optimizer steps left untouched before the first observation.</summary>
    /// <value>The default value is 100. Valid range: 0 or more.</value>
    [Range(0, int.MaxValue)]
    public int WarmupSteps { get; set; } = FarcastDefaults.WarmupSteps;

    /// <summary>Length m of the input window in snapshots; LFD-2 uses its first and last weight.</summary>
    /// <value>The default value is 5. Valid range: 2 to 100000.</value>
    [Range(2, 100_000)]
    public int InputSteps { get; set; } = FarcastDefaults.InputSteps;

    /// <summary>
    /// Snapshots H forecast per jump (the most, under a <see cref="HorizonSearch"/>); an accepted jump of j snapshots
    /// skips j × <see cref="Stride"/> optimizer steps.
    /// </summary>
    /// <value>The default value is 10. Valid range: 1 to 100000.</value>
    [Range(1, 100_000)]
    public int Horizon { get; set; } = FarcastDefaults.Horizon;

    /// <summary>Accepted jumps after which the wrapper only delegates; 0 observes nothing (a pass-through).</summary>
    /// <value>The default value is <see cref="int.MaxValue"/> (no limit). Valid range: 0 or more.</value>
    [Range(0, int.MaxValue)]
    public int MaxJumps { get; set; } = FarcastDefaults.MaxJumps;

    /// <summary>Whether training resumes after a jump or stops once <see cref="TotalSteps"/> is farcast.</summary>
    /// <value>The default value is <see cref="FarcastMode.Resume"/>.</value>
    public FarcastMode Mode { get; set; } = FarcastDefaults.Mode;

    /// <summary>
    /// <see cref="FarcastMode.Stop"/> mode: the effective step whose weights are farcast, after which
    /// <see cref="FarcastOptimizer.ShouldStop"/> becomes true. Ignored in <see cref="FarcastMode.Resume"/> mode.
    /// </summary>
    /// <value>The default value is 0 (unset). Valid range: 0 or more; in Stop mode more than
    /// <see cref="WarmupSteps"/> + <see cref="InputSteps"/> - 1 + <see cref="Horizon"/>.</value>
    [Range(0, long.MaxValue)]
    public long TotalSteps { get; set; } = FarcastDefaults.TotalSteps;

    /// <summary>Which scalars share one map: each parameter tensor, or the whole model.</summary>
    /// <value>The default value is <see cref="FarcastGranularity.PerTensor"/>.</value>
    public FarcastGranularity Granularity { get; set; } = FarcastDefaults.Granularity;

    /// <summary>The loss the map is fitted with.</summary>
    /// <value>The default value is <see cref="FarcastFit.LeastSquares"/>.</value>
    public FarcastFit Fit { get; set; } = FarcastDefaults.Fit;

    /// <summary><see cref="FarcastFit.L1"/> only: scalars sampled uniformly per group to fit on.</summary>
    /// <value>The default value is 4096. Valid range: 8 to 10000000.</value>
    [Range(8, 10_000_000)]
    public int SampleSize { get; set; } = FarcastDefaults.SampleSize;

    /// <summary>
    /// Weight λ of the first-order-optimality regularizer, which penalises the forecast's last step
    /// ŵ_H - ŵ_(H-1) (the paper's form; the paper publishes neither the norm nor λ). The norm follows
    /// <see cref="Fit"/>: squared for least squares, absolute for L1; both terms are means over scalars.
    /// </summary>
    /// <value>The default value is 0.01. Valid range: 0 to 1000000.</value>
    [Range(0.0, 1_000_000.0)]
    public double Lambda { get; set; } = FarcastDefaults.Lambda;

    /// <summary>What happens to the inner optimizer's per-parameter state after an accepted jump.</summary>
    /// <value>The default value is <see cref="OptimizerStatePolicy.Keep"/>.</value>
    public OptimizerStatePolicy OptimizerState { get; set; } = FarcastDefaults.OptimizerState;

    /// <summary>
    /// Relative rise of the verification loss that a jump may cause and still be kept: a jump is rolled back when
    /// the loss after it is not finite or exceeds <c>before + |before| × VerifyTolerance</c>. Used only when
    /// <see cref="FarcastOptimizer.VerificationLoss"/> is set.
    /// </summary>
    /// <value>The default value is 0 (any rise rejects the jump). Valid range: 0 to 1000000.</value>
    [Range(0.0, 1_000_000.0)]
    public double VerifyTolerance { get; set; } = FarcastDefaults.VerifyTolerance;

    /// <summary>
    /// Real steps to wait after a rejected jump before observing again, doubled after each further consecutive
    /// rejection (up to 2^10 times) and reset by a kept jump. When jumps do not pay, this makes the observation and the
    /// verification cost shrink geometrically instead of recurring every cycle. 0 turns it off.
    /// </summary>
    /// <value>The default value is 0 (off). Valid range: 0 to 1000000.</value>
    [Range(0, 1_000_000)]
    public int BackoffSteps { get; set; } = FarcastDefaults.BackoffSteps;

    /// <summary>
    /// Real steps between two snapshots of a window: <see cref="InputSteps"/> and <see cref="Horizon"/> count snapshots,
    /// so a window spans Stride times as many real steps at the same memory (three copies) and the steps between
    /// snapshots cost nothing. Long strides average minibatch noise out of the displacement (NiNo: 200).
    /// </summary>
    /// <value>The default value is 1. Valid range: 1 to 100000; <see cref="FarcastMode.Stop"/> mode needs 1.</value>
    [Range(1, 100_000)]
    public int Stride { get; set; } = FarcastDefaults.Stride;

    /// <summary>
    /// Jumps that reuse the last fitted maps before the next fit: after a fitting window, up to this many windows observe
    /// only a fresh input window and apply the same maps, so no target steps are spent on observation. A rejected jump
    /// ends the reuse and the next window fits again. 0 fits every window.
    /// </summary>
    /// <value>The default value is 0 (fit every window). Valid range: 0 or more.</value>
    [Range(0, int.MaxValue)]
    public int RefitEvery { get; set; } = FarcastDefaults.RefitEvery;

    /// <summary>Whether each jump tries shorter horizons than <see cref="Horizon"/> and which it keeps.</summary>
    /// <value>The default value is <see cref="FarcastCallback.HorizonSearch.Off"/>.</value>
    public HorizonSearch HorizonSearch { get; set; } = FarcastDefaults.Search;

    /// <summary>
    /// <see cref="HorizonSearch"/> only: the shortest jump, in snapshots, the search tries. Each rung costs a guard check
    /// (a forward pass); a jump that skips fewer steps than its checks cost slows training down, so rungs below this are
    /// not tried. A value above <see cref="Horizon"/> acts as <see cref="Horizon"/>.
    /// </summary>
    /// <value>The default value is 1. Valid range: 1 to 100000.</value>
    [Range(1, 100_000)]
    public int MinJump { get; set; } = FarcastDefaults.MinJump;

    /// <summary>Whether the jump's coefficients are fitted (LFD-2) or fixed linear extrapolation (fast-forward).</summary>
    /// <value>The default value is <see cref="FarcastMap.Fitted"/>.</value>
    public FarcastMap Map { get; set; } = FarcastDefaults.Map;

    /// <summary>
    /// <see cref="FarcastGranularity.PerTensor"/> only: tensors with fewer scalars than this share one map fitted to all
    /// of them together (to the whole model if they hold fewer than this together). A map has three coefficients per
    /// step, so a 1-element bias fitted alone is interpolated exactly by wild coefficients (a = -872, b = 872).
    /// </summary>
    /// <value>The default value is 64 (0 fits every tensor alone). Valid range: 0 to 100000000.</value>
    [Range(0, 100_000_000)]
    public int MinTensorSize { get; set; } = FarcastDefaults.MinTensorSize;

    /// <summary>
    /// Used with <see cref="FarcastOptimizer.VerificationLosses"/> (per-example losses): a jump is kept only when the
    /// mean per-example change of the loss plus this many standard errors of that mean is at most the tolerance
    /// (<see cref="VerifyTolerance"/> × |mean loss before|) — a paired test that a rise is not mistaken for noise. 0 keeps
    /// the plain comparison of means.
    /// </summary>
    /// <value>The default value is 0. Valid range: 0 to 1000.</value>
    [Range(0.0, 1_000.0)]
    public double VerifyStandardErrors { get; set; } = FarcastDefaults.VerifyStandardErrors;

    /// <summary>Seed of the wrapper's own random numbers (the L1 fit's samples).</summary>
    /// <value>The default value is 0. Valid range: 0 or more.</value>
    [Range(0, int.MaxValue)]
    public int Seed { get; set; } = FarcastDefaults.Seed;

    /// <summary>A copy, so that later edits of the source do not change a running optimizer.</summary>
    internal FarcastOptions Clone() => (FarcastOptions)MemberwiseClone();
}
