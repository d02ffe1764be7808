using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Loyalty.Cli.Tests.Infrastructure;

/// <summary>
/// Debian's headless Chromium driven over the DevTools protocol (a small client on
/// System.Net.WebSockets): opens a page, records console errors, uncaught exceptions, log
/// errors and every network request, evaluates a script and takes a screenshot.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    /// <summary>Set to 1 (CI does) to make a missing browser a failure instead of a skip.</summary>
    public const string RequireVariable = "LOYALTY_REQUIRE_BROWSER";

    /// <summary>Set to a browser executable to use instead of the one found on PATH.</summary>
    public const string PathVariable = "LOYALTY_CHROMIUM";

    private readonly Process process;
    private readonly string profile;
    private readonly ClientWebSocket socket = new();
    private readonly Dictionary<int, TaskCompletionSource<JsonNode>> pending = [];
    private readonly List<string> errors = [];
    private readonly List<string> requests = [];
    private readonly CancellationTokenSource stop = new();
    private readonly object gate = new();
    private TaskCompletionSource loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? receiving;
    private string? session;
    private int nextId;

    private Chromium(Process process, string profile)
    {
        this.process = process;
        this.profile = profile;
    }

    /// <summary>The browser executable, or null when none is installed.</summary>
    public static string? Executable { get; } = Find();

    /// <summary>Whether CI demands the browser tests run.</summary>
    public static bool IsRequired => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    /// <summary>Why browser tests are skipped here, or null when they run.</summary>
    public static string? SkipReason =>
        Executable is not null || IsRequired
            ? null
            : $"Chromium not found: install Debian's chromium (apt-get install chromium) or set {PathVariable}; set {RequireVariable}=1 to make this a failure.";

    /// <summary>Console errors, uncaught exceptions and error log entries seen so far.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (gate)
            {
                return [.. errors];
            }
        }
    }

    /// <summary>Every URL the page requested.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (gate)
            {
                return [.. requests];
            }
        }
    }

    /// <summary>Starts a headless browser with a new, temporary profile.</summary>
    public static async Task<Chromium> StartAsync()
    {
        var executable = Executable ?? throw new InvalidOperationException(
            $"{RequireVariable}=1 but no Chromium was found: install Debian's chromium (apt-get install chromium) or set {PathVariable}.");
        var profile = Path.Combine(Path.GetTempPath(), "loyalty-chromium-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(profile);
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--hide-scrollbars", "--remote-debugging-port=0",
            $"--user-data-dir={profile}", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var browser = new Chromium(process, profile);
        try
        {
            await browser.ConnectAsync();
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens a page and waits for its load event.</summary>
    public async Task NavigateAsync(string url, int width, int height)
    {
        loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false });
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
        await loaded.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Evaluates a script in the page and returns its value (JSON).</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException("The script failed: " + exception.ToJsonString());
        }

        return result["result"]?["value"];
    }

    /// <summary>A PNG of the whole page.</summary>
    public async Task<byte[]> ScreenshotAsync()
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true });
        return Convert.FromBase64String(result["data"]!.GetValue<string>());
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await SendRawAsync("Browser.close", null, null).WaitAsync(TimeSpan.FromSeconds(5));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
        }

        await stop.CancelAsync();
        socket.Dispose();
        if (!process.WaitForExit(5000))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }

        process.Dispose();
        stop.Dispose();
        try
        {
            Directory.Delete(profile, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } given)
        {
            return File.Exists(given) ? given : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome", "google-chrome-stable" })
        {
            foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private async Task ConnectAsync()
    {
        // Chromium writes the port it chose, and the browser's WebSocket path, to DevToolsActivePort.
        var portFile = Path.Combine(profile, "DevToolsActivePort");
        var deadline = Stopwatch.StartNew();
        string[]? lines = null;
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Chromium exited at start-up with code {process.ExitCode}.");
            }

            if (File.Exists(portFile))
            {
                lines = (await File.ReadAllTextAsync(portFile)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (lines.Length >= 2)
                {
                    break;
                }
            }

            await Task.Delay(50);
        }

        if (lines is not { Length: >= 2 })
        {
            throw new TimeoutException("Chromium did not open its DevTools port within 30 s.");
        }

        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{lines[0].Trim()}{lines[1].Trim()}"), stop.Token);
        receiving = Task.Run(ReceiveAsync);
        var target = await SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, browserLevel: true);
        var attached = await SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true }, browserLevel: true);
        session = attached["sessionId"]!.GetValue<string>();
        foreach (var domain in new[] { "Page.enable", "Runtime.enable", "Log.enable", "Network.enable" })
        {
            await SendAsync(domain, null);
        }
    }

    private Task<JsonNode> SendAsync(string method, JsonObject? parameters, bool browserLevel = false) =>
        SendRawAsync(method, parameters, browserLevel ? null : session).WaitAsync(TimeSpan.FromSeconds(30));

    private async Task<JsonNode> SendRawAsync(string method, JsonObject? parameters, string? sessionId)
    {
        var completion = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
        int id;
        lock (gate)
        {
            id = ++nextId;
            pending[id] = completion;
        }

        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
        if (sessionId is not null)
        {
            message["sessionId"] = sessionId;
        }

        await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, stop.Token);
        return await completion.Task;
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (!stop.IsCancellationRequested && socket.State == WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer, stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }

                var node = JsonNode.Parse(message.ToArray())!;
                message.SetLength(0);
                Handle(node);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        lock (gate)
        {
            foreach (var waiting in pending.Values)
            {
                waiting.TrySetException(new InvalidOperationException("The DevTools connection closed."));
            }

            pending.Clear();
        }
    }

    private void Handle(JsonNode node)
    {
        if (node["id"] is { } idNode)
        {
            TaskCompletionSource<JsonNode>? waiting;
            lock (gate)
            {
                pending.Remove(idNode.GetValue<int>(), out waiting);
            }

            if (node["error"] is { } error)
            {
                waiting?.TrySetException(new InvalidOperationException("DevTools error: " + error.ToJsonString()));
            }
            else
            {
                waiting?.TrySetResult(node["result"] ?? new JsonObject());
            }

            return;
        }

        var parameters = node["params"];
        var consoleType = parameters?["type"]?.GetValue<string>();
        var logLevel = parameters?["entry"]?["level"]?.GetValue<string>();
        switch (node["method"]?.GetValue<string>())
        {
            case "Page.loadEventFired":
                loaded.TrySetResult();
                break;
            case "Runtime.consoleAPICalled" when consoleType is "error" or "assert":
                Record("console." + parameters!["type"] + ": " + parameters["args"]?.ToJsonString());
                break;
            case "Runtime.exceptionThrown":
                Record("uncaught exception: " + parameters?["exceptionDetails"]?.ToJsonString());
                break;
            case "Log.entryAdded" when logLevel == "error":
                Record("log error: " + parameters!["entry"]!["text"] + " (" + parameters["entry"]!["url"] + ")");
                break;
            case "Network.requestWillBeSent":
                lock (gate)
                {
                    requests.Add(parameters?["request"]?["url"]?.GetValue<string>() ?? string.Empty);
                }

                break;
        }
    }

    private void Record(string error)
    {
        lock (gate)
        {
            errors.Add(error);
        }
    }
}

/// <summary>A fact that needs Chromium: skipped (with how to enable it) when no browser is installed, unless <c>LOYALTY_REQUIRE_BROWSER=1</c> makes that a failure.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that needs Chromium: skipped like <see cref="ChromiumFactAttribute"/>.</summary>
public sealed class ChromiumTheoryAttribute : TheoryAttribute
{
    public ChromiumTheoryAttribute()
    {
        if (Chromium.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
