using Npgsql;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;

[Collection(PostgresCollection.Name)]
public sealed class PostgresServerTests(PostgresServerFixture fixture)
{
    [PostgresFact]
    public async Task A_throwaway_cluster_serves_fresh_databases_on_loopback()
    {
        var connectionString = fixture.Server.CreateDatabase("server_check");

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT current_database(), inet_server_addr()::text, current_setting('port')";
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).Should().BeTrue();
        reader.GetString(0).Should().StartWith("server_check_");
        reader.GetString(1).Should().Be("127.0.0.1/32");
        reader.GetString(2).Should().Be(fixture.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
