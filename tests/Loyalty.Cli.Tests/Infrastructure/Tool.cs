using Loyalty.Cli.Infrastructure;
using Spectre.Console.Testing;

namespace Loyalty.Cli.Tests.Infrastructure;

/// <summary>Runs the tool in process, as a person would type it, and captures what it prints.</summary>
public static class Tool
{
    /// <summary>The repository root (the folder holding Loyalty.Core.sln).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The CDNOW excerpt shipped in the repository.</summary>
    public static string Excerpt { get; } = Path.Combine(RepositoryRoot, "data", "cdnow-excerpt.csv");

    /// <summary>Runs <c>loyalty</c> with the arguments.</summary>
    public static CliRun Run(params string[] args)
    {
        var output = new TestConsole().Width(400);
        var error = new TestConsole().Width(400);
        var json = new StringWriter();
        var code = LoyaltyApp.Run(args, new CliConsole(output, json, error));
        return new CliRun(code, output.Output, json.ToString(), error.Output);
    }

    /// <summary>A new file in a new temporary folder, with the given content.</summary>
    public static string TempFile(string name, string content)
    {
        var folder = Path.Combine(Path.GetTempPath(), "loyalty-cli-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>A new empty temporary folder.</summary>
    public static string TempFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "loyalty-cli-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>
    /// Compares an output with the stored snapshot <c>Snapshots/{name}.txt</c>; with
    /// <c>LOYALTY_UPDATE_SNAPSHOTS=1</c> the snapshot in the source tree is rewritten instead.
    /// </summary>
    public static void MatchesSnapshot(string actual, string name)
    {
        var normalized = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        var source = Path.Combine(RepositoryRoot, "tests", "Loyalty.Cli.Tests", "Snapshots", name + ".txt");
        if (Environment.GetEnvironmentVariable("LOYALTY_UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(source, normalized);
            return;
        }

        File.Exists(source).Should().BeTrue($"the snapshot {source} exists (create it with LOYALTY_UPDATE_SNAPSHOTS=1 and review it)");
        normalized.Should().Be(File.ReadAllText(source).Replace("\r\n", "\n", StringComparison.Ordinal), $"the output matches Snapshots/{name}.txt");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Loyalty.Core.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Loyalty.Core.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>What a run of the tool did.</summary>
public sealed record CliRun(int ExitCode, string Output, string Json, string Error);
