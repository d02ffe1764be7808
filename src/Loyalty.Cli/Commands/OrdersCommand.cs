using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Loyalty.Cli.Infrastructure;
using Loyalty.Cli.Input;
using Loyalty.Core.Segmentation;
using NodaTime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Loyalty.Cli.Commands;

/// <summary>
/// The base of every command that reads an orders CSV file: it opens the file, shows a
/// progress bar with throughput while the file is read (on an interactive terminal, not with
/// <c>--json</c>), runs the analyses over one read, and writes output files whole or not at all.
/// A new analysis command derives from it, implements <see cref="Run"/>, and is registered in
/// <see cref="CommandCatalog"/>.
/// </summary>
/// <typeparam name="TSettings">The command's settings.</typeparam>
/// <param name="console">Where to write.</param>
internal abstract class OrdersCommand<TSettings>(CliConsole console) : Command<TSettings>
    where TSettings : OrdersSettings
{
    /// <summary>Options for <c>--json</c> output: camelCase, indented, enums as strings.</summary>
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>Where to write.</summary>
    protected CliConsole Console => console;

    /// <inheritdoc />
    public sealed override int Execute(CommandContext context, TSettings settings, CancellationToken cancellationToken) => Run(settings);

    /// <summary>Runs the command.</summary>
    /// <param name="settings">The validated settings.</param>
    /// <returns>The exit code.</returns>
    protected abstract int Run(TSettings settings);

    /// <summary>The end (last instant) of a local date in the shop's zone: the as-of instant of that date.</summary>
    /// <param name="date">The date.</param>
    /// <param name="zone">The zone.</param>
    /// <returns>The last nanosecond of that day.</returns>
    protected static Instant EndOfDay(LocalDate date, DateTimeZone zone) =>
        date.PlusDays(1).AtStartOfDayInZone(zone).ToInstant() - Duration.Epsilon;

    /// <summary>The segmenter options for an as-of date.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="asOf">The as-of date.</param>
    /// <returns>The options.</returns>
    protected static RfmpOptions OptionsAsOf(TSettings settings, LocalDate asOf) => new()
    {
        AsOf = EndOfDay(asOf, settings.Format.TimeZone),
        TimeZone = settings.Format.TimeZone,
        Currency = settings.Format.Currency,
        Window = settings.WindowPeriod,
    };

    /// <summary>The as-of date: the one given, or the date of the latest order (one extra read of the date column).</summary>
    /// <param name="settings">The settings.</param>
    /// <returns>The date.</returns>
    /// <exception cref="InputException">The file is bad or has no order.</exception>
    protected LocalDate ResolveAsOf(TSettings settings)
    {
        if (settings.AsOfDate is { } given)
        {
            return given;
        }

        using var reader = OrderCsvReader.Open(settings.File, settings.Format);
        Instant? latest = null;
        WithProgress(settings, reader, "latest date", () => latest = reader.LatestInstant());
        return latest is { } at
            ? at.InZone(settings.Format.TimeZone).Date
            : throw new InputException($"{settings.File}: the file has a header but no order; add one line per order (customer,order,date,amount).");
    }

    /// <summary>Reads the file once and runs the analyses over its purchases, with a progress bar.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="analyses">The analyses.</param>
    /// <returns>Their results, in order, and the number of data lines read.</returns>
    /// <exception cref="InputException">A line is bad.</exception>
    protected (object?[] Results, long Lines) ReadOrders(TSettings settings, params Func<IEnumerable<Purchase>, object?>[] analyses)
    {
        using var reader = OrderCsvReader.Open(settings.File, settings.Format);
        object?[] results = [];
        WithProgress(settings, reader, "orders", () => results = PurchaseFeed.Run(reader, analyses));
        if (reader.Lines == 0)
        {
            throw new InputException($"{settings.File}: the file has a header but no order; add one line per order (customer,order,date,amount).");
        }

        return (results, reader.Lines);
    }

    /// <summary>Runs a step after the file is read, with a spinner on an interactive terminal.</summary>
    /// <typeparam name="T">The step's result.</typeparam>
    /// <param name="settings">The settings.</param>
    /// <param name="what">What the step does.</param>
    /// <param name="step">The step.</param>
    /// <returns>Its result.</returns>
    protected T WithStatus<T>(TSettings settings, string what, Func<T> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        try
        {
            if (settings.Json || !console.Out.Profile.Capabilities.Interactive)
            {
                return step();
            }

            return console.Out.Status().Start($"{Path.GetFileName(settings.File)}: {what}…", _ => step());
        }
        catch (ArgumentException ex)
        {
            // The reader checks every value first; a rule of the engine a purchase still breaks is named here.
            throw new InputException($"{settings.File}: {ex.Message}", ex);
        }
    }

    /// <summary>Writes a value as JSON on standard output.</summary>
    /// <param name="value">The value.</param>
    protected void WriteJson(object value)
    {
        console.Json.WriteLine(JsonSerializer.Serialize(value, JsonOptions));
        console.Json.Flush();
    }

    /// <summary>Writes a file whole or not at all (a temporary file next to it, then renamed).</summary>
    /// <param name="path">The destination.</param>
    /// <param name="option">The option that named it, for the message.</param>
    /// <param name="write">Writes the content.</param>
    /// <exception cref="OutputException">The file cannot be written.</exception>
    internal static void WriteFileAtomically(string path, string option, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string? temporary = null;
        try
        {
            var full = Path.GetFullPath(path);
            var directory = Path.GetDirectoryName(full)!;
            if (!Directory.Exists(directory))
            {
                throw new OutputException($"{option} {path}: the folder {directory} does not exist; create it or choose another path.");
            }

            temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
            }

            File.Move(temporary, full, overwrite: true);
            temporary = null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OutputException($"{option} {path}: cannot be written ({ex.Message}).", ex);
        }
        finally
        {
            if (temporary is not null && File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Formats a share as a percentage in the output culture.</summary>
    /// <param name="value">The share (0..1).</param>
    /// <param name="culture">The culture.</param>
    /// <returns>The text.</returns>
    protected static string Percent(decimal value, CultureInfo culture) => value.ToString("P1", culture);

    private protected void WithProgress(TSettings settings, IReadProgress reader, string what, Action action)
    {
        if (settings.Json || !console.Out.Profile.Capabilities.Interactive)
        {
            action();
            return;
        }

        var clock = Stopwatch.StartNew();
        console.Out.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new TransferSpeedColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask($"{Path.GetFileName(settings.File)}: {what}", maxValue: Math.Max(reader.Length, 1));
                void Update()
                {
                    task.Value = reader.BytesRead;
                    var seconds = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(settings.File)}: {what}, {reader.Lines:N0} lines ({reader.Lines / seconds:N0} lines/s)");
                }

                var work = Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                while (!((IAsyncResult)work).AsyncWaitHandle.WaitOne(100))
                {
                    Update();
                }

                Update();
                work.GetAwaiter().GetResult();
            });
    }
}
