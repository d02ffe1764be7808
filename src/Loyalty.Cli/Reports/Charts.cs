using ScottPlot;

namespace Loyalty.Cli.Reports;

/// <summary>
/// The report's charts, drawn with ScottPlot 5 and returned as inline SVG elements. Every chart
/// is vector: heatmap cells are drawn as rectangles, not as an embedded bitmap.
/// </summary>
internal static class Charts
{
    private const int Width = 900;

    private static Plot NewPlot()
    {
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        return plot;
    }

    /// <summary>A labelled heatmap: rows top to bottom, columns left to right, a text in each cell.</summary>
    /// <param name="values">The cell values (colour); NaN leaves a cell blank.</param>
    /// <param name="labels">The text of each cell (null or empty for none).</param>
    /// <param name="rowLabels">Row labels, top to bottom.</param>
    /// <param name="columnLabels">Column labels, left to right.</param>
    /// <param name="xLabel">The horizontal axis label.</param>
    /// <param name="yLabel">The vertical axis label.</param>
    /// <param name="height">The chart height in pixels.</param>
    /// <returns>The SVG element.</returns>
    public static string Heatmap(double[,] values, string?[,] labels, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels, string xLabel, string yLabel, int height)
    {
        var rows = values.GetLength(0);
        var columns = values.GetLength(1);
        var plot = NewPlot();
        var max = 0d;
        foreach (var v in values)
        {
            if (!double.IsNaN(v))
            {
                max = Math.Max(max, v);
            }
        }

        if (!values.Cast<double>().Any(v => !double.IsNaN(v)))
        {
            // Nothing to colour (e.g. no customer in range): ScottPlot needs one real value.
            values = new double[rows, columns];
        }

        var heatmap = plot.Add.Heatmap(values);

        // A fixed range from 0: empty cells stay light, and a grid with no value at all still draws.
        heatmap.ManualRange = new ScottPlot.Range(0, max > 0 ? max : 1);
        heatmap.Colormap = new LightToDarkBlue();
        heatmap.NaNCellColor = Colors.White;
        heatmap.RenderStrategy = new ScottPlot.Plottables.Heatmap.RenderStrategies.Rectangles();
        heatmap.Position = new CoordinateRect(0, columns - 1, 0, rows - 1);
        var cellWidth = (Width - 160f) / columns;
        var cellHeight = (height - 110f) / rows;
        var fontSize = Math.Clamp(Math.Min(cellWidth / 4.2f, cellHeight / 3f), 9f, 15f);
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                if (labels[r, c] is not { Length: > 0 } text)
                {
                    continue;
                }

                var label = plot.Add.Text(text, c, rows - 1 - r);
                label.LabelAlignment = Alignment.MiddleCenter;
                label.LabelFontSize = fontSize;
                label.LabelFontColor = !double.IsNaN(values[r, c]) && max > 0 && values[r, c] / max > 0.55 ? Colors.White : Colors.Black;
            }
        }

        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, columns).Select(c => (double)c)], [.. columnLabels]);
        plot.Axes.Left.SetTicks([.. Enumerable.Range(0, rows).Select(r => (double)(rows - 1 - r))], [.. rowLabels]);
        plot.Axes.SetLimits(-0.5, columns - 0.5, -0.5, rows - 0.5);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.HideGrid();
        return plot.GetSvgHtml(Width, height);
    }

    /// <summary>Horizontal bars, first bar at the top, with the value written after each bar.</summary>
    /// <param name="labels">The bar labels.</param>
    /// <param name="values">The bar lengths.</param>
    /// <param name="valueLabels">The text after each bar.</param>
    /// <param name="xLabel">The value axis label.</param>
    /// <returns>The SVG element.</returns>
    public static string HorizontalBars(IReadOnlyList<string> labels, IReadOnlyList<double> values, IReadOnlyList<string> valueLabels, string xLabel)
    {
        var plot = NewPlot();
        var count = labels.Count;
        var bars = new List<Bar>();
        for (var i = 0; i < count; i++)
        {
            bars.Add(new Bar
            {
                Position = count - 1 - i,
                Value = values[i],
                FillColor = Colors.SteelBlue,
                LineWidth = 0,
                Label = valueLabels[i],
            });
        }

        var plottable = plot.Add.Bars(bars);
        plottable.Horizontal = true;
        plottable.ValueLabelStyle.FontSize = 12;
        plot.Axes.Left.SetTicks([.. Enumerable.Range(0, count).Select(i => (double)(count - 1 - i))], [.. labels]);
        plot.Axes.Margins(left: 0, right: 0.15, bottom: 0.02, top: 0.02);
        plot.XLabel(xLabel);
        plot.HideGrid();
        return plot.GetSvgHtml(Width, Math.Max(220, 60 + (32 * count)));
    }

    /// <summary>Vertical bars (a distribution), with the count above each bar.</summary>
    /// <param name="labels">The bin labels.</param>
    /// <param name="values">The counts.</param>
    /// <param name="valueLabels">The text above each bar.</param>
    /// <param name="xLabel">The bin axis label.</param>
    /// <param name="yLabel">The count axis label.</param>
    /// <returns>The SVG element.</returns>
    public static string Columns(IReadOnlyList<string> labels, IReadOnlyList<double> values, IReadOnlyList<string> valueLabels, string xLabel, string yLabel)
    {
        var plot = NewPlot();
        var bars = new List<Bar>();
        for (var i = 0; i < labels.Count; i++)
        {
            bars.Add(new Bar { Position = i, Value = values[i], FillColor = Colors.SteelBlue, LineWidth = 0, Label = valueLabels[i] });
        }

        var plottable = plot.Add.Bars(bars);
        plottable.ValueLabelStyle.FontSize = 12;
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, labels.Count).Select(i => (double)i)], [.. labels]);
        plot.Axes.Margins(bottom: 0, top: 0.12);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot.GetSvgHtml(Width, 420);
    }

    /// <summary>Lines over a shared category axis (e.g. months), one per series, with a legend.</summary>
    /// <param name="labels">The category labels, left to right (every few are written when there are many).</param>
    /// <param name="series">Each series' name and values (one per label).</param>
    /// <param name="xLabel">The category axis label.</param>
    /// <param name="yLabel">The value axis label.</param>
    /// <returns>The SVG element.</returns>
    public static string Lines(IReadOnlyList<string> labels, IReadOnlyList<(string Name, double[] Values)> series, string xLabel, string yLabel)
    {
        var plot = NewPlot();
        var xs = Enumerable.Range(0, labels.Count).Select(i => (double)i).ToArray();
        Color[] palette = [Colors.SteelBlue, Colors.DarkOrange, Colors.SeaGreen, Colors.Crimson, Colors.SlateGray, Colors.Purple];
        for (var s = 0; s < series.Count; s++)
        {
            var line = plot.Add.Scatter(xs, series[s].Values);
            line.LegendText = series[s].Name;
            line.Color = palette[s % palette.Length];
            line.LineWidth = 2;
            line.MarkerSize = 4;
        }

        var step = Math.Max(1, (int)Math.Ceiling(labels.Count / 12.0));
        var ticks = Enumerable.Range(0, labels.Count).Where(i => i % step == 0).ToArray();
        plot.Axes.Bottom.SetTicks([.. ticks.Select(i => (double)i)], [.. ticks.Select(i => labels[i])]);
        plot.Axes.Margins(bottom: 0, top: 0.1);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot.GetSvgHtml(Width, 420);
    }

    /// <summary>A sequential colour map from near-white (low) to dark blue (high), so empty cells stay light.</summary>
    private sealed class LightToDarkBlue : IColormap
    {
        private static readonly (double At, byte R, byte G, byte B)[] Stops =
        [
            (0.0, 0xF7, 0xFB, 0xFF),
            (0.35, 0x9E, 0xCA, 0xE1),
            (0.7, 0x31, 0x82, 0xBD),
            (1.0, 0x08, 0x30, 0x6B),
        ];

        /// <inheritdoc />
        public string Name => "Light to dark blue";

        /// <inheritdoc />
        public Color GetColor(double normalizedIntensity)
        {
            var x = double.IsNaN(normalizedIntensity) ? 0 : Math.Clamp(normalizedIntensity, 0, 1);
            for (var i = 1; i < Stops.Length; i++)
            {
                if (x <= Stops[i].At)
                {
                    var (a, b) = (Stops[i - 1], Stops[i]);
                    var t = (x - a.At) / (b.At - a.At);
                    return new Color(Lerp(a.R, b.R, t), Lerp(a.G, b.G, t), Lerp(a.B, b.B, t));
                }
            }

            return new Color(Stops[^1].R, Stops[^1].G, Stops[^1].B);
        }

        private static byte Lerp(byte a, byte b, double t) => (byte)Math.Round(a + ((b - a) * t));
    }
}
