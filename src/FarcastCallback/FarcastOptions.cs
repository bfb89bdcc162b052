using System.ComponentModel.DataAnnotations;

namespace FarcastCallback;

/// <summary>
/// Settings of <see cref="FarcastOptimizer"/>, bound from the configuration section <c>Farcast</c>
/// (<see cref="SectionName"/>). Ranges are enforced by <see cref="FarcastOptionsValidator"/> at start-up and in
/// the optimizer's constructor; every message names the configuration key. The defaults are the settings that paid
/// on full-batch training; the guard itself is set on the optimizer (<see cref="FarcastOptimizer.VerificationLoss"/>).
/// </summary>
/// <remarks>
/// Windows count <em>snapshots</em>, taken every <see cref="Stride"/> real steps (with the default stride of 1, a
/// snapshot is a step). A fitting window observes <see cref="InputSteps"/> + <see cref="Horizon"/> - 1 snapshots after
/// its first: the first <see cref="InputSteps"/> form the input window (LFD-2 uses only its first and last weight), the
/// next <see cref="Horizon"/> are the targets the map is fitted to. The map is then applied to the most recent input
/// window and the weights of up to <see cref="Horizon"/> snapshots ahead are written into the model. With
/// <see cref="RefitEvery"/> the next windows reuse the map on a fresh input window only.
/// </remarks>
public sealed class FarcastOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Farcast";

    /// <summary>Real optimizer steps left untouched before the first observation.</summary>
    /// <value>The default value is 100. Valid range: 0 or more.</value>
    [Range(0, int.MaxValue)]
    public int WarmupSteps { get; set; } = FarcastDefaults.WarmupSteps;

    /// <summary>Length m of the input window, in snapshots; LFD-2 uses its first and last weight.</summary>
    /// <value>The default value is 5. Valid range: 2 to 100000.</value>
    [Range(2, 100_000)]
    public int InputSteps { get; set; } = FarcastDefaults.InputSteps;

    /// <summary>
    /// The longest jump H, in snapshots: the map is fitted to H target snapshots, and a kept jump of j snapshots skips
    /// j × <see cref="Stride"/> optimizer steps.
    /// </summary>
    /// <value>The default value is 64. Valid range: 1 to 100000.</value>
    [Range(1, 100_000)]
    public int Horizon { get; set; } = FarcastDefaults.Horizon;

    /// <summary>
    /// The shortest jump, in snapshots, that a jump tries. A jump tries a halving ladder of lengths from
    /// <see cref="Horizon"/> (or twice the last kept length, when that is shorter) down to this one and keeps the first
    /// the guard accepts; every rung costs one guard evaluation, so rungs that would save fewer steps than their checks
    /// cost are not tried. Equal to <see cref="Horizon"/>: every jump is exactly <see cref="Horizon"/> snapshots long.
    /// </summary>
    /// <value>The default value is 4. Valid range: 1 to <see cref="Horizon"/>.</value>
    [Range(1, 100_000)]
    public int MinJump { get; set; } = FarcastDefaults.MinJump;

    /// <summary>
    /// Real steps between two snapshots of a window: a window spans Stride times as many real steps at the same memory
    /// (three copies of the parameters), and the steps between snapshots cost nothing. Long strides average minibatch
    /// noise out of the displacement (NiNo: 200).
    /// </summary>
    /// <value>The default value is 1. Valid range: 1 to 100000; <see cref="FarcastMode.Stop"/> mode needs 1.</value>
    [Range(1, 100_000)]
    public int Stride { get; set; } = FarcastDefaults.Stride;

    /// <summary>
    /// Jumps that reuse the last fitted maps before the next fit: after a fitting window, up to this many windows observe
    /// only a fresh input window and apply the same maps, so no target steps are spent on observation. A rejected jump
    /// ends the reuse and the next window fits again. 0 fits every window.
    /// </summary>
    /// <value>The default value is 1000. Valid range: 0 or more.</value>
    [Range(0, int.MaxValue)]
    public int RefitEvery { get; set; } = FarcastDefaults.RefitEvery;

    /// <summary>
    /// Tensors with fewer scalars than this share one map fitted to all of them together (to the whole model if they hold
    /// fewer than this together). A map has three coefficients per step, so a 1-element bias fitted alone is
    /// interpolated exactly by wild coefficients (a = -872, b = 872). 0 fits every tensor alone.
    /// </summary>
    /// <value>The default value is 64. Valid range: 0 to 100000000.</value>
    [Range(0, 100_000_000)]
    public int MinTensorSize { get; set; } = FarcastDefaults.MinTensorSize;

    /// <summary>Where the jump comes from: LFD-2 fitted to the window, fixed linear extrapolation (fast-forward, a peer's rule), or the smoothing-only control.</summary>
    /// <value>The default value is <see cref="FarcastMap.Fitted"/>.</value>
    public FarcastMap Map { get; set; } = FarcastDefaults.Map;

    /// <summary>
    /// Weight λ of the paper's first-order-optimality regularizer, which penalises the forecast's last step
    /// ŵ_H - ŵ_(H-1) (squared, both terms means over scalars; the paper publishes neither the norm nor λ). A positive λ
    /// biases an exact forecast, so it is off by default.
    /// </summary>
    /// <value>The default value is 0. Valid range: 0 to 1000000.</value>
    [Range(0.0, 1_000_000.0)]
    public double Lambda { get; set; } = FarcastDefaults.Lambda;

    /// <summary>Whether training resumes after a jump or stops once <see cref="TotalSteps"/> is farcast.</summary>
    /// <value>The default value is <see cref="FarcastMode.Resume"/>.</value>
    public FarcastMode Mode { get; set; } = FarcastDefaults.Mode;

    /// <summary>
    /// The length of the run in effective steps. <see cref="FarcastMode.Stop"/> mode: the effective step whose weights
    /// are farcast, after which <see cref="FarcastOptimizer.ShouldStop"/> becomes true. <see cref="FarcastMode.Resume"/>
    /// mode: the span of the <see cref="FarcastHorizonSchedule.Shrinking"/> schedule, and 0 otherwise.
    /// </summary>
    /// <value>The default value is 0 (unset). Valid range: 0 or more; in Stop mode more than
    /// <see cref="WarmupSteps"/> + <see cref="InputSteps"/> - 1 + <see cref="Horizon"/>.</value>
    [Range(0, long.MaxValue)]
    public long TotalSteps { get; set; } = FarcastDefaults.TotalSteps;

    /// <summary>
    /// Relative rise of the guard's loss that a jump may cause and still be kept: a jump is rolled back when the loss
    /// after it is not finite or exceeds <c>before + |before| × VerifyTolerance</c>.
    /// </summary>
    /// <value>The default value is 0 (any rise rejects the jump). Valid range: 0 to 1000000.</value>
    [Range(0.0, 1_000_000.0)]
    public double VerifyTolerance { get; set; } = FarcastDefaults.VerifyTolerance;

    /// <summary>
    /// Used with <see cref="FarcastOptimizer.VerificationLosses"/> (per-example losses, minibatch training): a jump is
    /// kept only when the mean per-example change of the loss plus this many standard errors of that mean is at most the
    /// tolerance (<see cref="VerifyTolerance"/> × |mean loss before|) — a paired test, so that a rise is not mistaken for
    /// noise. 0 keeps the plain comparison of means.
    /// </summary>
    /// <value>The default value is 0. Valid range: 0 to 1000.</value>
    [Range(0.0, 1_000.0)]
    public double VerifyStandardErrors { get; set; } = FarcastDefaults.VerifyStandardErrors;

    /// <summary>
    /// Real steps trained after a jump before the guard judges it: a delayed guard. A jump first dips the held-out loss
    /// and training then absorbs it, so a check right after the jump sees only the dip. With a delay each jump writes one
    /// forecast (twice the last kept length, at most <see cref="Horizon"/>; half the last tried after a rejection, at
    /// least <see cref="MinJump"/>), training goes on for this many real steps, and the guard then compares the loss
    /// with where plain training would be by then: the guard's reading before the jump, continued along the trend of
    /// its readings across the recent input window (the same examples at all three readings). A jump that fails is
    /// rolled back to the pre-jump weights and, for TorchSharp's own optimizers, the pre-jump optimizer state; the
    /// steps trained meanwhile count as real steps. 0 judges every jump at once, over a ladder of lengths.
    /// </summary>
    /// <value>The default value is 0. Valid range: 0 to 1000000; <see cref="FarcastMode.Stop"/> mode needs 0.</value>
    [Range(0, 1_000_000)]
    public int JudgeAfterSteps { get; set; } = FarcastDefaults.JudgeAfterSteps;

    /// <summary>How the longest jump changes over the run: constant, or NiNo's shrinking schedule over <see cref="TotalSteps"/>.</summary>
    /// <value>The default value is <see cref="FarcastHorizonSchedule.Constant"/>.</value>
    public FarcastHorizonSchedule HorizonSchedule { get; set; } = FarcastDefaults.HorizonSchedule;

    /// <summary>
    /// What a delayed judgement compares the jumped weights with: the trend of the guard's readings (no extra steps), or
    /// a race against a twin trained from the pre-jump weights on the same batches (<see cref="FarcastCounterfactual.Race"/>).
    /// </summary>
    /// <value>The default value is <see cref="FarcastCounterfactual.Trend"/>; <see cref="FarcastCounterfactual.Race"/>
    /// needs <see cref="JudgeAfterSteps"/> of 1 or more.</value>
    public FarcastCounterfactual JudgeAgainst { get; set; } = FarcastDefaults.JudgeAgainst;

    /// <summary>
    /// The decay of an exponential moving average of the weights that the windows observe instead of the raw weights:
    /// the map is fitted to the averaged trajectory and applied to the average's recent input window, so it extrapolates
    /// the drift rather than the minibatch noise, and the forecast is written into the model as before. The average is
    /// updated after every real step and starts again at the weights wherever they are written (a jump, a rollback). It
    /// costs one more copy of the trained parameters and one update per real step. 0 observes the raw weights.
    /// </summary>
    /// <value>The default value is 0. Valid range: 0 to below 1.</value>
    [Range(0.0, 1.0)]
    public double ObservedAverageDecay { get; set; } = FarcastDefaults.ObservedAverageDecay;

    /// <summary>
    /// The real step at which these settings write their first jump (the first write of the
    /// <see cref="FarcastMap.Smoothing"/> map) in <see cref="FarcastMode.Resume"/> mode: <see cref="WarmupSteps"/>,
    /// then one window of (<see cref="InputSteps"/> - 1 + <see cref="Horizon"/>) × <see cref="Stride"/> real steps, or
    /// (<see cref="InputSteps"/> - 1) × <see cref="Stride"/> for a map that is not fitted. A run of fewer real steps
    /// never jumps: it trains exactly as its inner optimizer would.
    /// </summary>
    public long FirstJumpRealStep() =>
        WarmupSteps + new Observation.WindowSchedule(InputSteps, Horizon, Stride, ReusesMap: Map != FarcastMap.Fitted).End;

    /// <summary>A copy, so that later edits of the source do not change a running optimizer.</summary>
    internal FarcastOptions Clone() => (FarcastOptions)MemberwiseClone();
}
