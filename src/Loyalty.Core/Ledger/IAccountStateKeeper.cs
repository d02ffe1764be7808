using Loyalty.Core.Storage;

namespace Loyalty.Core.Ledger;

/// <summary>
/// A ledger store that keeps each account's decoded state next to the account's rows (the in-memory
/// store), so that a ledger over it never decodes an account it wrote before, whatever the number of
/// accounts: a write takes the state, decides on it, appends, and hands it back.
/// </summary>
/// <remarks>
/// The same ownership rules as the ledger's own <see cref="AccountStateCache"/>: <see cref="TakeState"/>
/// removes the state, so two writers never share one, and a state is kept only when it is the account's
/// current version in the store. The ledger checks that a state it takes was decoded under its own
/// expiry policy, zone and indexing (ledgers with other options may share the store) and decodes from the
/// snapshot otherwise. Only a store whose appends are never undone may keep states (a unit of work that
/// rolls back makes the ledger forget its cache, and a store-kept state would outlive that): its kept
/// state is then always what the store holds at that version.
/// </remarks>
internal interface IAccountStateKeeper
{
    /// <summary>Removes and returns the state kept for <paramref name="account"/>, or null when none is.</summary>
    AccountState? TakeState(LedgerAccountKey account);

    /// <summary>
    /// Keeps a settled state when it is the account's current version in the store (else drops it), unless
    /// it has more than <see cref="AccountStateCache.MaxOpenEntries"/> open lots and holds or the store
    /// would then keep more than <see cref="AccountStateCache.MaxCachedEntries"/>.
    /// </summary>
    void KeepState(AccountState state);
}
