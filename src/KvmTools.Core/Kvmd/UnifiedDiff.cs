using System.Text;

namespace KvmTools.Core.Kvmd;

/// <summary>A unified diff (diff -u) between two texts, for 'gpio diff'.</summary>
public static class UnifiedDiff
{
    private const int Context = 3;

    /// <summary>Above this many line pairs the changed middle is shown as one replaced block instead of a minimal diff.</summary>
    private const long MaxCells = 4_000_000;

    private enum Op { Keep, Delete, Insert }

    private readonly record struct Line(string Text, bool Newline);

    /// <summary>The diff, or "" when the texts are equal.</summary>
    public static string Create(string oldText, string newText, string oldName, string newName)
    {
        var a = Split(oldText);
        var b = Split(newText);
        var script = Script(a, b);
        if (script.All(s => s.Op == Op.Keep))
        {
            return "";
        }
        var output = new StringBuilder();
        output.Append("--- ").Append(oldName).Append('\n');
        output.Append("+++ ").Append(newName).Append('\n');

        int i = 0;
        while (i < script.Count)
        {
            if (script[i].Op == Op.Keep)
            {
                i++;
                continue;
            }
            int start = Math.Max(0, i - Context);
            int end = i;
            // Extend the hunk while the next change is within two contexts of this one.
            while (end < script.Count)
            {
                int next = end;
                while (next < script.Count && script[next].Op == Op.Keep)
                {
                    next++;
                }
                if (next == script.Count || next - end > 2 * Context)
                {
                    end = Math.Min(script.Count, end + Context);
                    break;
                }
                end = next;
                while (end < script.Count && script[end].Op != Op.Keep)
                {
                    end++;
                }
            }
            WriteHunk(output, script, start, end);
            i = end;
        }
        return output.ToString();
    }

    private static void WriteHunk(StringBuilder output, List<(Op Op, Line Line, int OldIndex, int NewIndex)> script, int start, int end)
    {
        int oldStart = script[start].OldIndex, newStart = script[start].NewIndex;
        int oldCount = 0, newCount = 0;
        for (int k = start; k < end; k++)
        {
            if (script[k].Op != Op.Insert) { oldCount++; }
            if (script[k].Op != Op.Delete) { newCount++; }
        }
        output.Append("@@ -").Append(Range(oldStart, oldCount)).Append(" +").Append(Range(newStart, newCount)).Append(" @@\n");
        for (int k = start; k < end; k++)
        {
            var (op, line, _, _) = script[k];
            output.Append(op switch { Op.Keep => ' ', Op.Delete => '-', _ => '+' }).Append(line.Text).Append('\n');
            if (!line.Newline)
            {
                output.Append("\\ No newline at end of file\n");
            }
        }
    }

    private static string Range(int start, int count) => count == 1 ? $"{start + 1}" : $"{(count == 0 ? start : start + 1)},{count}";

    private static List<Line> Split(string text)
    {
        var lines = new List<Line>();
        int pos = 0;
        while (pos < text.Length)
        {
            int nl = text.IndexOf('\n', pos);
            if (nl < 0)
            {
                lines.Add(new Line(text[pos..], false));
                break;
            }
            lines.Add(new Line(text[pos..nl], true));
            pos = nl + 1;
        }
        return lines;
    }

    /// <summary>The edit script: common prefix and suffix kept, the middle by longest common subsequence.</summary>
    private static List<(Op Op, Line Line, int OldIndex, int NewIndex)> Script(List<Line> a, List<Line> b)
    {
        int prefix = 0;
        while (prefix < a.Count && prefix < b.Count && a[prefix] == b[prefix])
        {
            prefix++;
        }
        int suffix = 0;
        while (suffix < a.Count - prefix && suffix < b.Count - prefix && a[a.Count - 1 - suffix] == b[b.Count - 1 - suffix])
        {
            suffix++;
        }
        var script = new List<(Op, Line, int, int)>();
        for (int k = 0; k < prefix; k++)
        {
            script.Add((Op.Keep, a[k], k, k));
        }
        int n = a.Count - prefix - suffix, m = b.Count - prefix - suffix;
        if ((long)n * m > MaxCells)
        {
            for (int k = 0; k < n; k++) { script.Add((Op.Delete, a[prefix + k], prefix + k, prefix)); }
            for (int k = 0; k < m; k++) { script.Add((Op.Insert, b[prefix + k], prefix + n, prefix + k)); }
        }
        else
        {
            // lcs[i, j]: length of the LCS of a[i..] and b[j..] within the middle.
            var lcs = new int[n + 1, m + 1];
            for (int i = n - 1; i >= 0; i--)
            {
                for (int j = m - 1; j >= 0; j--)
                {
                    lcs[i, j] = a[prefix + i] == b[prefix + j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
                }
            }
            int x = 0, y = 0;
            while (x < n || y < m)
            {
                if (x < n && y < m && a[prefix + x] == b[prefix + y])
                {
                    script.Add((Op.Keep, a[prefix + x], prefix + x, prefix + y));
                    x++;
                    y++;
                }
                else if (x < n && (y == m || lcs[x + 1, y] >= lcs[x, y + 1]))
                {
                    script.Add((Op.Delete, a[prefix + x], prefix + x, prefix + y));
                    x++;
                }
                else
                {
                    script.Add((Op.Insert, b[prefix + y], prefix + x, prefix + y));
                    y++;
                }
            }
        }
        for (int k = 0; k < suffix; k++)
        {
            script.Add((Op.Keep, a[a.Count - suffix + k], a.Count - suffix + k, b.Count - suffix + k));
        }
        return script;
    }
}
