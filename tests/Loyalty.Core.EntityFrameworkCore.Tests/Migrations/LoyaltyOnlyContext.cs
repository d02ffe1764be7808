using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Migrations;

/// <summary>A context with the loyalty model alone, with the default placement: the source of the shipped SQL scripts.</summary>
public sealed class LoyaltyOnlyContext(DbContextOptions<LoyaltyOnlyContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyLoyaltyModel();
}
