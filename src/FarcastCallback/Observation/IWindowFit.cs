using FarcastCallback.Forecasting;

namespace FarcastCallback.Observation;

/// <summary>
/// What one kind of LFD-2 fit records from a window while it runs, and the maps it fits at the window's end. The
/// window's weights themselves live in <see cref="WindowBuffers"/>; a fit keeps only what its loss needs (sums for
/// least squares, a sample of trajectories for L1), so a new fit is one new implementation of this interface.
/// </summary>
internal interface IWindowFit : IDisposable
{
    /// <summary>The window starts: F is in <paramref name="buffers"/>; earlier records are cleared.</summary>
    void Begin(WindowBuffers buffers, SplitMix64 random);

    /// <summary>The input window's last weight is current and D is in <paramref name="buffers"/>.</summary>
    void RecordLast(WindowBuffers buffers);

    /// <summary>Target step <paramref name="j"/> (1-based) is current.</summary>
    void RecordTarget(WindowBuffers buffers, int j);

    /// <summary>The map of every parameter, from the complete window.</summary>
    Lfd2Map[] Fit();

    void Write(BinaryWriter writer);

    void Read(BinaryReader reader);
}
