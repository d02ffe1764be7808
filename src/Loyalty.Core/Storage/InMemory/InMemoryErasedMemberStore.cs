using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>A thread-safe, in-process <see cref="IErasedMemberStore"/>: the default store.</summary>
public sealed class InMemoryErasedMemberStore : IErasedMemberStore
{
    private readonly object gate = new();
    private readonly HashSet<(ProgramId, string)> markers = [];

    /// <inheritdoc />
    public ValueTask<bool> AddAsync(ProgramId programId, string marker, CancellationToken cancellationToken = default)
    {
        ErasedMembers.CheckMarker(marker, nameof(marker));
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(markers.Add((programId, marker)));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ContainsAsync(ProgramId programId, string marker, CancellationToken cancellationToken = default)
    {
        ErasedMembers.CheckMarker(marker, nameof(marker));
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(markers.Contains((programId, marker)));
        }
    }
}
