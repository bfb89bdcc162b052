using ScottPlot;

namespace FarcastCallback.Lab.Reporting;

/// <summary>The paper's Figure 2: one parameter's true trajectory against the forecasts of several models.</summary>
public static class TrajectoryFigure
{
    public static void Save(string path, string title, double[] truth, int inputSteps, IReadOnlyDictionary<string, double[]> forecasts)
    {
        var plot = new Plot();
        var steps = Enumerable.Range(0, truth.Length).Select(t => (double)t).ToArray();
        var actual = plot.Add.Scatter(steps, truth);
        actual.LegendText = "true";
        actual.LineWidth = 3;
        actual.MarkerSize = 0;
        actual.Color = Colors.Black;
        foreach (var (name, forecast) in forecasts)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (var t = inputSteps - 1; t < forecast.Length; t++)
            {
                if (double.IsNaN(forecast[t])) continue;
                xs.Add(t);
                ys.Add(forecast[t]);
            }
            var line = plot.Add.Scatter(xs.ToArray(), ys.ToArray());
            line.LegendText = name;
            line.MarkerSize = xs.Count < 3 ? 8 : 0;
            line.LineWidth = 2;
            line.LinePattern = LinePattern.Dashed;
        }
        var window = plot.Add.VerticalLine(inputSteps - 1);
        window.LinePattern = LinePattern.Dotted;
        window.Color = Colors.Gray;
        window.LegendText = "end of input";
        plot.Title(title);
        plot.XLabel("step (updates)");
        plot.YLabel("weight");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 900, 540);
    }
}
