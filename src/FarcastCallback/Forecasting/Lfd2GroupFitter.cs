using FarcastCallback.Observation;

namespace FarcastCallback.Forecasting;

/// <summary>Fits one LFD-2 map per group (each tensor, or the whole model) and returns the map of every parameter.</summary>
internal static class Lfd2GroupFitter
{
    public static Lfd2Map[] Fit(WindowRecorder recorder, FarcastOptions options)
    {
        var count = recorder.Parameters.Count;
        if (options.Granularity == FarcastGranularity.Global)
        {
            var map = options.Fit == FarcastFit.LeastSquares
                ? LeastSquaresLfd2Fitter.Fit(Lfd2Statistics.Sum(recorder.Statistics), options.Lambda)
                : L1Lfd2Fitter.Fit(Lfd2Sample.Concatenate(recorder.Samples), options.Lambda);
            return Enumerable.Repeat(map, count).ToArray();
        }

        var maps = new Lfd2Map[count];
        for (var i = 0; i < count; i++)
        {
            maps[i] = options.Fit == FarcastFit.LeastSquares
                ? LeastSquaresLfd2Fitter.Fit(recorder.Statistics[i], options.Lambda)
                : L1Lfd2Fitter.Fit(recorder.Samples[i], options.Lambda);
        }
        return maps;
    }
}
