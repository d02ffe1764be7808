using System.Security.Cryptography;
using System.Text;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Programs;

/// <summary>
/// Ledger transaction ids derived from the shop's own ids, so that a retried webhook writes the
/// same transaction (and the ledger recognises it) however many times it is delivered.
/// </summary>
internal static class DerivedIds
{
    public static TransactionId Order(OrderId order) => Make("order", order.Value);

    public static TransactionId Refund(RefundId refund) => Make("refund", refund.Value);

    public static TransactionId Activity(ActivityId activity) => Make("activity", activity.Value);

    public static TransactionId Redemption(Rewards.RedemptionId redemption) => Make("redeem", redemption.Value);

    public static TransactionId RedemptionCancel(Rewards.RedemptionId redemption) => Make("redeem-cancel", redemption.Value);

    public static TransactionId RedemptionExpired(Rewards.RedemptionId redemption) => Make("redeem-expired", redemption.Value);

    public static TransactionId TransferOut(Transfers.TransferId transfer) => Make("transfer-out", transfer.Value);

    public static TransactionId TransferIn(Transfers.TransferId transfer, int leg) => Make("transfer-in" + leg.ToString(System.Globalization.CultureInfo.InvariantCulture), transfer.Value);

    /// <summary>A step of a pooled redemption for one household member: <c>household-{step}:{redemption}/{member}</c>.</summary>
    public static TransactionId Household(string step, Rewards.RedemptionId redemption, MemberId member) => Make("household-" + step, redemption.Value + "/" + member.Value);

    public static TransactionId Hold(OrderId order) => Make("hold", order.Value);

    public static TransactionId Capture(OrderId order) => Make("capture", order.Value);

    public static TransactionId Release(OrderId order) => Make("release", order.Value);

    public static TransactionId RefereeBonus(MemberId referee) => Make("referee-bonus", referee.Value);

    public static ActivityId SignUp(MemberId member) => ActivityId.From(Text("signup", member.Value));

    public static ActivityId ReferralCompleted(MemberId referee) => ActivityId.From(Text("referral", referee.Value));

    public static ActivityId Birthday(MemberId member, int year) => ActivityId.From(Text("birthday:" + year.ToString(System.Globalization.CultureInfo.InvariantCulture), member.Value));

    private static TransactionId Make(string prefix, string id) => TransactionId.From(Text(prefix, id));

    /// <summary><c>prefix:id</c>, or <c>prefix:#sha256(id)</c> when that would exceed the identifier length.</summary>
    private static string Text(string prefix, string id)
    {
        var text = prefix + ":" + id;
        if (text.Length <= Identifier.MaxLength)
        {
            return text;
        }

        return prefix + ":#" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(id))).ToLowerInvariant();
    }
}
