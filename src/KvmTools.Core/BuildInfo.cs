namespace KvmTools.Core;

/// <summary>The version both executables report and stamp into what they write.</summary>
/// <remarks>
/// <see cref="Version"/> is generated from Directory.Build.props at build time (KvmTools.Core.csproj): a constant
/// rather than the assembly's attribute, whose reflection would make the quick-start executable larger.
/// </remarks>
public static partial class BuildInfo;
