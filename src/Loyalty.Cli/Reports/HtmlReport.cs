using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using System.Text;
using NodaTime;
using NodaTime.Text;

namespace Loyalty.Cli.Reports;

/// <summary>
/// A self-contained HTML report: one file, inline CSS, charts as inline SVG drawn by ScottPlot,
/// no script, font or image fetched from anywhere, so it opens offline and can be mailed.
/// </summary>
/// <remarks>Sections are added in order; <see cref="WriteTo"/> writes the whole page.</remarks>
internal sealed class HtmlReport
{
    private readonly List<string> sections = [];
    private readonly Texts texts;
    private readonly string subtitle;

    /// <summary>Creates an empty report.</summary>
    /// <param name="texts">The language.</param>
    /// <param name="file">The orders file read.</param>
    /// <param name="lines">The data lines read.</param>
    /// <param name="asOf">The as-of date.</param>
    /// <param name="window">The window, if any.</param>
    public HtmlReport(Texts texts, string file, long lines, LocalDate asOf, Period? window)
    {
        this.texts = texts;
        var scope = window is null ? texts["report.allHistory"] : texts.Format("report.window", PeriodPattern.NormalizingIso.Format(window));
        subtitle = texts.Format("report.generated", Path.GetFileName(file), texts.Number(lines), Texts.Date(asOf), scope);
    }

    /// <summary>Creates an empty report whose data is not an orders file (e.g. a live database).</summary>
    /// <param name="texts">The language.</param>
    /// <param name="subtitle">What was read, shown under the title.</param>
    public HtmlReport(Texts texts, string subtitle)
    {
        this.texts = texts;
        this.subtitle = subtitle;
    }

    /// <summary>The language of the report.</summary>
    public Texts Texts => texts;

    /// <summary>Adds a section heading with a lead paragraph.</summary>
    /// <param name="title">The heading.</param>
    /// <param name="lead">The paragraph.</param>
    public void Heading(string title, string lead) =>
        sections.Add($"<h2>{Encode(title)}</h2>\n<p class=\"lead\">{Encode(lead)}</p>");

    /// <summary>Adds a chart: a titled figure holding an inline SVG.</summary>
    /// <param name="id">A stable id for the figure (used by tests and links).</param>
    /// <param name="title">The chart's title.</param>
    /// <param name="caption">What it shows.</param>
    /// <param name="svg">The SVG element.</param>
    public void Chart(string id, string title, string caption, string svg) =>
        sections.Add($"<figure class=\"chart\" id=\"{Encode(id)}\">\n<h3>{Encode(title)}</h3>\n{svg}\n<figcaption>{Encode(caption)}</figcaption>\n</figure>");

    /// <summary>Adds a table.</summary>
    /// <param name="title">The table's title.</param>
    /// <param name="headers">Column headers.</param>
    /// <param name="rows">Rows of cells (already formatted).</param>
    /// <param name="numericFrom">Columns from this index on are right-aligned.</param>
    public void Table(string title, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, int numericFrom = 1)
    {
        var html = new StringBuilder();
        html.Append("<h3>").Append(Encode(title)).Append("</h3>\n<table>\n<thead><tr>");
        for (var i = 0; i < headers.Count; i++)
        {
            html.Append(i >= numericFrom ? "<th class=\"n\">" : "<th>").Append(Encode(headers[i])).Append("</th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            for (var i = 0; i < row.Count; i++)
            {
                html.Append(i >= numericFrom ? "<td class=\"n\">" : "<td>").Append(Encode(row[i])).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>");
        sections.Add(html.ToString());
    }

    /// <summary>Adds a paragraph.</summary>
    /// <param name="text">The text.</param>
    public void Paragraph(string text) => sections.Add($"<p>{Encode(text)}</p>");

    /// <summary>Writes the page (UTF-8).</summary>
    /// <param name="stream">The destination.</param>
    public void WriteTo(Stream stream)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        writer.Write(ToHtml());
    }

    /// <summary>The page.</summary>
    /// <returns>The HTML text.</returns>
    public string ToHtml()
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!DOCTYPE html>
            <html lang="{{texts.Language}}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <title>{{Encode(texts["report.title"])}}</title>
            <style>
            body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 2rem auto; max-width: 1000px; padding: 0 1rem; color: #1f2933; }
            h1 { margin-bottom: .2rem; }
            h2 { margin-top: 2.5rem; border-bottom: 2px solid #d9e2ec; padding-bottom: .3rem; }
            p.subtitle, p.lead, figcaption, footer { color: #52606d; }
            figure.chart { margin: 1.5rem 0; }
            figure.chart svg { display: block; max-width: 100%; height: auto; }
            table { border-collapse: collapse; margin: .5rem 0 1.5rem; font-size: .92rem; }
            th, td { padding: .3rem .7rem; border-bottom: 1px solid #e4e7eb; text-align: left; }
            th.n, td.n { text-align: right; font-variant-numeric: tabular-nums; }
            thead th { background: #f0f4f8; }
            </style>
            </head>
            <body>
            <h1>{{Encode(texts["report.title"])}}</h1>
            <p class="subtitle">{{Encode(subtitle)}}</p>

            """);
        foreach (var section in sections)
        {
            html.Append(section).Append('\n');
        }

        html.Append(CultureInfo.InvariantCulture, $$"""
            <footer><p>{{Encode(texts["report.footer"])}}</p></footer>
            </body>
            </html>

            """);
        return html.ToString();
    }

    // Letters and symbols of every language are kept as they are (the page is UTF-8); only the
    // characters HTML gives a meaning to are escaped.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private static string Encode(string text) => Encoder.Encode(text);
}
