using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace Loyalty.Core.Configuration.Tests;

/// <summary>
/// The README each package shows on its page (PackageReadmeFile) is packed with absolute links only: the package
/// page has no repository around it, so a relative link (docs/ledger.md, an image) would lead nowhere.
/// </summary>
public partial class PackedReadmeTests
{
    private const string Repository = "https://github.com/loyalty-core/Loyalty.Core/";

    private static string Root
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Loyalty.Core.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("The repository root (Loyalty.Core.sln) was not found above " + AppContext.BaseDirectory);
        }
    }

    [Fact]
    public void Every_link_of_every_packed_readme_is_absolute()
    {
        Run("msbuild", "Loyalty.Core.sln", "-t:LoyaltyPackReadme", "-p:Configuration=Release", "-nologo", "-v:q");
        var packable = Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => File.ReadAllText(p).Contains("<IsPackable>true</IsPackable>", StringComparison.Ordinal))
            .ToList();
        packable.Should().HaveCount(7, "seven packages ship: the core, configuration, hosting, EF Core, specification, analytics and the CLI");

        var links = 0;
        foreach (var project in packable)
        {
            var readme = Path.Combine(Path.GetDirectoryName(project)!, "obj", "package-readme", "README.md");
            File.Exists(readme).Should().BeTrue($"{Path.GetFileName(project)} packs a README");
            var text = File.ReadAllText(readme);
            foreach (Match link in MarkdownLink().Matches(text))
            {
                link.Groups["url"].Value.Should().MatchRegex("^(https://|mailto:)", $"{Path.GetFileName(project)}'s packed README links to '{link.Groups["url"].Value}'");
                links++;
            }

            HtmlLink().IsMatch(text).Should().BeFalse("HTML links are not rewritten; write Markdown links");
            ReferenceLink().IsMatch(text).Should().BeFalse("reference-style links are not rewritten; write inline Markdown links");
        }

        links.Should().BeGreaterThan(50, "the main README links every capability's page");
        var core = File.ReadAllText(Path.Combine(Root, "src", "Loyalty.Core", "obj", "package-readme", "README.md"));
        core.Should().Contain("[ledger](" + Repository + "blob/main/docs/ledger.md)")
            .And.Contain("](" + Repository + "raw/main/docs/images/cli-report.png)")
            .And.Contain("[LICENSE](" + Repository + "blob/main/LICENSE)");
        var original = File.ReadAllText(Path.Combine(Root, "README.md"));
        AbsoluteRepositoryLink().Replace(core, string.Empty).Should().Be(original, "only the links change");
    }

    [Fact]
    public void The_package_carries_the_rewritten_readme()
    {
        var output = Path.Combine(Path.GetTempPath(), "loyalty-pack-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Run("pack", "src/Loyalty.Core.Configuration/Loyalty.Core.Configuration.csproj", "-c", "Release", "--no-build", "-o", output, "-nologo", "-v:q");
            using var package = ZipFile.OpenRead(Directory.GetFiles(output, "Loyalty.Core.Configuration.*.nupkg").Single(f => !f.EndsWith(".snupkg", StringComparison.Ordinal)));
            using var reader = new StreamReader(package.GetEntry("README.md")!.Open());

            reader.ReadToEnd().Should().Be(File.ReadAllText(Path.Combine(Root, "src", "Loyalty.Core.Configuration", "obj", "package-readme", "README.md")));
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    private static void Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        process.ExitCode.Should().Be(0, $"dotnet {string.Join(' ', arguments)} failed:{Environment.NewLine}{stdout.Result}{stderr.Result}");
    }

    [GeneratedRegex(@"\]\((?<url>[^)\s]+)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"<(a|img)\s[^>]*(href|src)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlLink();

    [GeneratedRegex(@"^\s*\[[^\]]+\]:\s", RegexOptions.Multiline)]
    private static partial Regex ReferenceLink();

    [GeneratedRegex(@"https://github\.com/loyalty-core/Loyalty\.Core/(blob|raw)/main/")]
    private static partial Regex AbsoluteRepositoryLink();
}
