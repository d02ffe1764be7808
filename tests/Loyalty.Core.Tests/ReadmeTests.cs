namespace Loyalty.Core.Tests;

/// <summary>The README's quick start is the ReadmeQuickStart sample, which the solution compiles and CI runs.</summary>
public class ReadmeTests
{
    [Fact]
    public void Quick_start_in_the_readme_is_the_compiled_sample()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        var section = readme[readme.IndexOf("## Quick start", StringComparison.Ordinal)..];
        const string fence = "```csharp\n";
        var start = section.IndexOf(fence, StringComparison.Ordinal) + fence.Length;
        var end = section.IndexOf("\n```", start, StringComparison.Ordinal);
        var snippet = section[start..end];

        var sample = File.ReadAllText(Path.Combine(root, "samples", "ReadmeQuickStart", "Program.cs")).ReplaceLineEndings("\n").TrimEnd('\n');

        snippet.Should().Be(sample);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Loyalty.Core.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Loyalty.Core.sln not found above " + AppContext.BaseDirectory);
    }
}
