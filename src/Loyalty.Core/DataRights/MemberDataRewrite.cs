using System.Security.Cryptography;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;

namespace Loyalty.Core.DataRights;

/// <summary>Why a member's rows are rewritten.</summary>
public enum MemberDataRewriteKind
{
    /// <summary>Erasure: the rows move to a random pseudonym, every id is replaced and personal fields are dropped.</summary>
    Erasure = 1,

    /// <summary>Rectification: the rows move to the shop's new id for the member; ids derived from the old id follow.</summary>
    Rectification = 2,
}

/// <summary>
/// One erasure or rectification of a member, shared by every <see cref="IMemberDataParticipant"/> of
/// the request: the old and new member ids and the map of every other id, so that references between
/// stores (an order's ledger transaction, a budget reservation's key, a redemption's transaction) stay
/// consistent.
/// </summary>
/// <remarks>
/// <para>For an erasure the map gives each id a fresh random one (128 random bits, the same for the
/// same id within the request) and nothing keeps the map: once the request ends no one can tell which
/// id became which. For a rectification it replaces exactly the ids derived from the old member id
/// (its sign-up, birthday and referral activities and their transactions) and keeps every other id.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class MemberDataRewrite
{
    /// <summary>The prefix of every pseudonym and pseudonymous id an erasure writes.</summary>
    public const string ErasedPrefix = "erased-";

    /// <summary>The text an erasure writes in place of free text (reasons, consent sources, event names).</summary>
    public const string ErasedText = "[erased]";

    private readonly Dictionary<string, string> map;
    private readonly object gate = new();

    private MemberDataRewrite(ProgramId programId, MemberId from, MemberId to, MemberDataRewriteKind kind, Dictionary<string, string> map)
    {
        ProgramId = programId;
        From = from;
        To = to;
        Kind = kind;
        this.map = map;
    }

    /// <summary>The programme.</summary>
    public ProgramId ProgramId { get; }

    /// <summary>The member id the rows are stored under now.</summary>
    public MemberId From { get; }

    /// <summary>The member id they move to: a random pseudonym for an erasure, the shop's new id for a rectification.</summary>
    public MemberId To { get; }

    /// <summary>Erasure or rectification.</summary>
    public MemberDataRewriteKind Kind { get; }

    /// <summary>True for an erasure.</summary>
    public bool IsErasure => Kind == MemberDataRewriteKind.Erasure;

    /// <summary>Creates the rewrite of an erasure, with a fresh random pseudonym.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member erased.</param>
    /// <returns>The rewrite.</returns>
    public static MemberDataRewrite ForErasure(ProgramId programId, MemberId memberId) =>
        new(programId, memberId, MemberId.From(NewPseudonym()), MemberDataRewriteKind.Erasure, new Dictionary<string, string>(StringComparer.Ordinal));

    /// <summary>Creates the rewrite of a rectification.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="from">The member's current id.</param>
    /// <param name="to">The member's new id.</param>
    /// <param name="derivedIds">The ids derived from <paramref name="from"/> and what they become.</param>
    /// <returns>The rewrite.</returns>
    internal static MemberDataRewrite ForRectification(ProgramId programId, MemberId from, MemberId to, IReadOnlyDictionary<string, string> derivedIds) =>
        new(programId, from, to, MemberDataRewriteKind.Rectification, new Dictionary<string, string>(derivedIds, StringComparer.Ordinal));

    /// <summary>
    /// The id that replaces <paramref name="id"/>: for an erasure a random pseudonymous id (the same for
    /// the same input within this request), for a rectification the id derived from the new member id
    /// when <paramref name="id"/> was derived from the old one, else <paramref name="id"/> itself.
    /// </summary>
    /// <param name="id">An id the shop or the programme chose.</param>
    /// <returns>The id to write.</returns>
    public string MapId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (gate)
        {
            if (map.TryGetValue(id, out var mapped))
            {
                return mapped;
            }

            if (!IsErasure)
            {
                return id;
            }

            mapped = NewPseudonym();
            map[id] = mapped;
            return mapped;
        }
    }

    /// <summary>
    /// The same erasure under a fresh member pseudonym, sharing the id map: for rows of the member written
    /// after the first pass (an order's ledger step that landed late), so that an id already mapped keeps its
    /// pseudonymous id and a record and its transaction still match.
    /// </summary>
    /// <returns>The rewrite.</returns>
    internal MemberDataRewrite WithNewPseudonym() => new(ProgramId, From, MemberId.From(NewPseudonym()), Kind, map);

    /// <summary>
    /// A rewrite that keeps a member's id and renames only some ids in its rows: the ids the programme derived
    /// from another member's id (a referrer's referral activity is named after the referee), when that member
    /// is erased or rectified.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member whose rows are rewritten.</param>
    /// <param name="renames">The ids to rename.</param>
    /// <returns>The rewrite (of kind <see cref="MemberDataRewriteKind.Rectification"/>: nothing else changes).</returns>
    internal static MemberDataRewrite ForRenames(ProgramId programId, MemberId memberId, IReadOnlyDictionary<string, string> renames) =>
        new(programId, memberId, memberId, MemberDataRewriteKind.Rectification, new Dictionary<string, string>(renames, StringComparer.Ordinal));

    /// <summary>The ids mapped so far in this request (an erasure's every id met, a rectification's derived ids), old → new.</summary>
    /// <returns>A snapshot of the map.</returns>
    internal IReadOnlyList<KeyValuePair<string, string>> MappedIds()
    {
        lock (gate)
        {
            return map.ToArray();
        }
    }

    /// <summary>Maps a transaction id (see <see cref="MapId(string)"/>).</summary>
    /// <param name="id">The id.</param>
    /// <returns>The id to write.</returns>
    public TransactionId Map(TransactionId id) => TransactionId.From(MapId(id.Value));

    /// <summary>Maps an order id (see <see cref="MapId(string)"/>).</summary>
    /// <param name="id">The id.</param>
    /// <returns>The id to write.</returns>
    public OrderId Map(OrderId id) => OrderId.From(MapId(id.Value));

    /// <summary>Maps a refund id (see <see cref="MapId(string)"/>).</summary>
    /// <param name="id">The id.</param>
    /// <returns>The id to write.</returns>
    public RefundId Map(RefundId id) => RefundId.From(MapId(id.Value));

    /// <summary>Maps an activity id (see <see cref="MapId(string)"/>).</summary>
    /// <param name="id">The id.</param>
    /// <returns>The id to write.</returns>
    public ActivityId Map(ActivityId id) => ActivityId.From(MapId(id.Value));

    /// <summary>Maps a redemption id (see <see cref="MapId(string)"/>).</summary>
    /// <param name="id">The id.</param>
    /// <returns>The id to write.</returns>
    public RedemptionId Map(RedemptionId id) => RedemptionId.From(MapId(id.Value));

    /// <summary>Maps a member id: <see cref="From"/> becomes <see cref="To"/>; any other member is kept.</summary>
    /// <param name="id">The id.</param>
    /// <returns>The id to write.</returns>
    public MemberId Map(MemberId id) => id == From ? To : id;

    /// <summary>Free text kept by a rectification, replaced by <see cref="ErasedText"/> by an erasure (null stays null).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The text to write.</returns>
    public string? Scrub(string? text) => text is null || !IsErasure ? text : ErasedText;

    /// <summary>A fresh pseudonymous id: <see cref="ErasedPrefix"/> and 32 hexadecimal digits (128 random bits).</summary>
    /// <returns>The id.</returns>
    public static string NewPseudonym() => ErasedPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
