namespace Loyalty.Core.Storage;

/// <summary>
/// An infrastructure fault in a store (connection lost, timeout, storage full…), never a
/// business outcome. <see cref="IsTransient"/> says whether retrying the same call may succeed.
/// </summary>
public sealed class LoyaltyStoreException : Exception
{
    /// <summary>Creates an exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="isTransient">Whether a retry may help.</param>
    /// <param name="innerException">The provider's exception, if any.</param>
    public LoyaltyStoreException(string message, bool isTransient, Exception? innerException = null)
        : base(message, innerException) => IsTransient = isTransient;

    /// <summary>Creates a non-transient exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public LoyaltyStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates a non-transient exception with a message and cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public LoyaltyStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates a non-transient exception with a default message.</summary>
    public LoyaltyStoreException()
        : base("A loyalty store failed.")
    {
    }

    /// <summary>Whether retrying the same call may succeed (for instance after a timeout or a dropped connection).</summary>
    public bool IsTransient { get; }
}
