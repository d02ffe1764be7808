namespace Loyalty.Core.Diagnostics;

/// <summary>The names a host subscribes to for the programme's traces, metrics and logs (see docs/observability.md).</summary>
public static class LoyaltyTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> name of the programme's spans: <c>Loyalty.Core</c> (e.g. <c>tracing.AddSource(LoyaltyTelemetry.ActivitySourceName)</c>).</summary>
    public const string ActivitySourceName = "Loyalty.Core";

    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> name of the programme's instruments: <c>Loyalty.Core</c>.</summary>
    public const string MeterName = "Loyalty.Core";

    /// <summary>The log category of the programme's calls: <c>Loyalty.Core.Program</c>.</summary>
    public const string ProgramLogCategory = "Loyalty.Core.Program";
}
