using System.Diagnostics;
using KvmTools.Core.Kvmd;

namespace KvmTools.Tests.Kvmd;

public sealed class UnifiedDiffTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kvmtool-diff-" + Guid.NewGuid().ToString("N"));

    public UnifiedDiffTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void EqualTextsHaveNoDiff() => Assert.Equal("", UnifiedDiff.Create("a\nb\n", "a\nb\n", "x", "y"));

    [Fact]
    public void AChangeIsShownWithThreeLinesOfContext()
    {
        string old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        string diff = UnifiedDiff.Create(old, old.Replace("5\n", "five\n", StringComparison.Ordinal), "a/gpio.yaml", "b/gpio.yaml");
        Assert.Equal("--- a/gpio.yaml\n+++ b/gpio.yaml\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n", diff);
    }

    [Fact]
    public void AnAbsentFileDiffsAsEmpty() =>
        Assert.Equal("--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n", UnifiedDiff.Create("", "x\ny\n", "a", "b"));

    [Fact]
    public void AMissingFinalNewlineIsMarked() =>
        Assert.Contains("\\ No newline at end of file", UnifiedDiff.Create("a\nb", "a\nb\n", "a", "b"));

    /// <summary>GNU patch must turn the old text into the new one with kvmtool's diff, whatever the edits.</summary>
    [Fact]
    public void PatchAppliesEveryDiff()
    {
        var random = new Random(20250304);
        string[] words = ["kvmd:", "gpio:", "a", "b", "c", "- [x]", "", "title: \"T\""];
        for (int round = 0; round < 40; round++)
        {
            var oldLines = Enumerable.Range(0, random.Next(0, 60)).Select(_ => words[random.Next(words.Length)]).ToList();
            var newLines = oldLines.ToList();
            for (int edits = random.Next(1, 8); edits > 0; edits--)
            {
                int at = random.Next(newLines.Count + 1);
                switch (random.Next(3))
                {
                    case 0: newLines.Insert(at, words[random.Next(words.Length)] + round); break;
                    case 1 when newLines.Count > 0: newLines.RemoveAt(Math.Min(at, newLines.Count - 1)); break;
                    default: if (newLines.Count > 0) { newLines[Math.Min(at, newLines.Count - 1)] = "changed" + edits; } break;
                }
            }
            string oldText = string.Concat(oldLines.Select(l => l + "\n"));
            string newText = string.Concat(newLines.Select(l => l + "\n"));
            string diff = UnifiedDiff.Create(oldText, newText, "old", "new");
            if (oldText == newText)
            {
                Assert.Equal("", diff);
                continue;
            }
            File.WriteAllText(Path.Combine(_dir, "file"), oldText);
            File.WriteAllText(Path.Combine(_dir, "patch"), diff);
            var info = new ProcessStartInfo("patch", ["-s", "--no-backup-if-mismatch", "-i", "patch", "file"])
            {
                WorkingDirectory = _dir,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var p = Process.Start(info)!;
            string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"round {round}: patch failed: {output}\n{diff}");
            Assert.Equal(newText, File.ReadAllText(Path.Combine(_dir, "file")));
        }
    }
}
