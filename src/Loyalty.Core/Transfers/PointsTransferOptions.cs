using System.Globalization;

namespace Loyalty.Core.Transfers;

/// <summary>A calendar period in the programme's time zone, over which transfer allowances are counted.</summary>
public enum TransferPeriod
{
    /// <summary>The calendar day.</summary>
    Day = 1,

    /// <summary>The ISO week (Monday to Sunday).</summary>
    Week = 2,

    /// <summary>The calendar month.</summary>
    Month = 3,

    /// <summary>The calendar year.</summary>
    Year = 4,
}

/// <summary>
/// The limits of points transfers between members: the least and the most one transfer may move,
/// and the most a member may give in a calendar period (in the programme's time zone).
/// </summary>
/// <remarks>A mutable options class bound from configuration (section <see cref="SectionName"/>); <see cref="Validate"/> lists every problem.</remarks>
public sealed class PointsTransferOptions
{
    /// <summary>The configuration section these options bind from: <c>Loyalty:Transfers</c>.</summary>
    public const string SectionName = "Loyalty:Transfers";

    /// <summary>The fewest points one transfer may move. Default 1.</summary>
    public long MinimumPoints { get; set; } = 1;

    /// <summary>The most points one transfer may move. Default 5,000.</summary>
    public long MaxPointsPerTransfer { get; set; } = 5_000;

    /// <summary>The most points a member may give in one <see cref="Period"/>. Default 10,000.</summary>
    public long MaxPointsPerPeriod { get; set; } = 10_000;

    /// <summary>The period <see cref="MaxPointsPerPeriod"/> counts over. Default <see cref="TransferPeriod.Month"/>.</summary>
    public TransferPeriod Period { get; set; } = TransferPeriod.Month;

    /// <summary>Every problem with the options, each naming its configuration path and how to fix it; empty when valid.</summary>
    /// <returns>The problems.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MinimumPoints < 1)
        {
            errors.Add(Invariant($"{SectionName}:MinimumPoints must be 1 or more (was {MinimumPoints})."));
        }

        if (MaxPointsPerTransfer < Math.Max(1, MinimumPoints))
        {
            errors.Add(Invariant($"{SectionName}:MaxPointsPerTransfer must be at least MinimumPoints ({MinimumPoints}) and 1 or more (was {MaxPointsPerTransfer})."));
        }

        if (MaxPointsPerPeriod < MaxPointsPerTransfer)
        {
            errors.Add(Invariant($"{SectionName}:MaxPointsPerPeriod must be at least MaxPointsPerTransfer ({MaxPointsPerTransfer}) (was {MaxPointsPerPeriod})."));
        }

        if (!Enum.IsDefined(Period))
        {
            errors.Add(Invariant($"{SectionName}:Period must be Day, Week, Month or Year (was {(int)Period})."));
        }

        return errors;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
