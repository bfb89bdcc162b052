using FarcastCallback.Cli;

// Redirected output (a log file, a pipe) has no terminal width: render tables whole instead of cutting them at 80 columns.
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 240;
return FarcastApp.Run(args);
