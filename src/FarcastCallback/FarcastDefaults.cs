namespace FarcastCallback;

/// <summary>The default value of every <see cref="FarcastOptions"/> property, in one place.</summary>
internal static class FarcastDefaults
{
    public const int WarmupSteps = 100;
    public const int InputSteps = 5;
    public const int Horizon = 10;
    public const int MaxJumps = int.MaxValue;
    public const FarcastMode Mode = FarcastMode.Resume;
    public const long TotalSteps = 0;
    public const FarcastGranularity Granularity = FarcastGranularity.PerTensor;
    public const FarcastFit Fit = FarcastFit.LeastSquares;
    public const int SampleSize = 4096;
    public const double Lambda = 0.01;
    public const OptimizerStatePolicy OptimizerState = OptimizerStatePolicy.Keep;
    public const double VerifyTolerance = 0.0;
    public const int Seed = 0;
    public const int BackoffSteps = 0;
    public const int Stride = 1;
    public const int RefitEvery = 0;
    public const HorizonSearch Search = HorizonSearch.Off;
    public const FarcastMap Map = FarcastMap.Fitted;
    public const int MinTensorSize = 64;
    public const int MinJump = 1;
    public const double VerifyStandardErrors = 0.0;
}
