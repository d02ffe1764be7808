using NodaTime;

namespace Loyalty.Core.Cards;

/// <summary>What an erased card leaves behind: its number, blocked, with no member and no history but the erasure.</summary>
public static class CardTombstone
{
    /// <summary>The reason recorded on an erased card.</summary>
    public const string Reason = "erased at the member's request";

    /// <summary>The record that replaces an erased card.</summary>
    /// <param name="card">The card erased.</param>
    /// <param name="erasedAt">When.</param>
    /// <returns>The blocked record of no member, one version on.</returns>
    public static CardRecord Of(CardRecord card, Instant erasedAt)
    {
        ArgumentNullException.ThrowIfNull(card);
        return card with
        {
            MemberId = default,
            Status = CardStatus.Blocked,
            Version = card.Version + 1,
            History = [new CardStatusChange(CardEvent.Blocked, erasedAt, Reason)],
        };
    }
}
