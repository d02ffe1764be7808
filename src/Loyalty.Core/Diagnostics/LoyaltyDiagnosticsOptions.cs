namespace Loyalty.Core.Diagnostics;

/// <summary>
/// What the programme's logs may contain (section <see cref="SectionName"/>). By default no
/// personal data is logged at any level: member ids are replaced by <c>(hidden)</c>.
/// </summary>
/// <remarks>A plain, mutable options object; set it with <c>services.Configure&lt;LoyaltyDiagnosticsOptions&gt;(o =&gt; …)</c> or bind it from configuration.</remarks>
public sealed class LoyaltyDiagnosticsOptions
{
    /// <summary>The configuration section these options are usually bound from: <c>Loyalty:Diagnostics</c>.</summary>
    public const string SectionName = "Loyalty:Diagnostics";

    /// <summary>
    /// True to write member ids into the Debug and Warning/Error messages of programme calls (a
    /// member id is personal data: opt in only where the shop's log retention allows it). Default
    /// false. Information messages never carry member ids, whatever this says.
    /// </summary>
    public bool LogMemberIds { get; set; }
}
