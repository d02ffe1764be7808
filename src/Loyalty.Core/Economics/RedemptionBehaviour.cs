using System.Globalization;

namespace Loyalty.Core.Economics;

/// <summary>The kinds of member redemption behaviour a backtest simulates.</summary>
public enum RedemptionModel
{
    /// <summary>Members never redeem: every point ends expired or outstanding (the most breakage).</summary>
    None = 0,

    /// <summary>
    /// After each of their orders, a member redeems with probability <see cref="RedemptionBehaviour.Probability"/>
    /// the most expensive reward they can afford and may have (offered, their tier, in stock), once.
    /// </summary>
    BestAffordable = 1,
}

/// <summary>A seeded model of how members redeem, for backtests.</summary>
/// <remarks>Immutable. The random draws come from the backtest's seed, one draw per member order, so a run is reproducible.</remarks>
public sealed class RedemptionBehaviour
{
    private RedemptionBehaviour(RedemptionModel model, double probability)
    {
        Model = model;
        Probability = probability;
    }

    /// <summary>Members never redeem.</summary>
    public static RedemptionBehaviour None { get; } = new(RedemptionModel.None, 0d);

    /// <summary>The model.</summary>
    public RedemptionModel Model { get; }

    /// <summary>For <see cref="RedemptionModel.BestAffordable"/>, the chance that a member who can afford a reward redeems one after an order.</summary>
    public double Probability { get; }

    /// <summary>After each order, with probability <paramref name="probability"/>, the member redeems the most expensive reward they can afford.</summary>
    /// <param name="probability">In [0, 1].</param>
    /// <returns>The behaviour.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> is outside [0, 1].</exception>
    public static RedemptionBehaviour BestAffordable(double probability) =>
        new(RedemptionModel.BestAffordable, EconomicsGuard.Rate(probability, nameof(probability)));

    /// <summary>A description such as <c>BestAffordable p=0.3</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Model == RedemptionModel.None ? "None" : string.Create(CultureInfo.InvariantCulture, $"BestAffordable p={Probability}");
}
