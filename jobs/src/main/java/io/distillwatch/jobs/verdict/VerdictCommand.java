package io.distillwatch.jobs.verdict;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;
import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.lake.Lake;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.DATE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.TEXT;

/**
 * {@code verdict --lake K --campaign C --verdict campaign|benign [--date D] [--note T]}, or
 * {@code verdict --lake K --file F.csv} for many: analysts' verdicts, the labelled history of the
 * campaigns stage's classifier.
 */
public final class VerdictCommand implements Command {
  static final String HEADER = "campaign_id,verdict,date,note";

  @Override
  public String name() {
    return "verdict";
  }

  @Override
  public String summary() {
    return "record analysts' verdicts (campaign or benign) on campaigns; the campaigns stage's classifier trains on them";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(CommonOptions.LAKE,
        OptionSpec.optional("campaign", TEXT, null, "campaign id (gold.campaigns)"),
        OptionSpec.optional("verdict", TEXT, null, "campaign or benign"),
        OptionSpec.optional("date", DATE, null, "the night of the campaign judged (default: its latest)"),
        OptionSpec.optional("note", TEXT, null, "a free-text reason (no account ids or prompt text, please)"),
        OptionSpec.optional("file", TEXT, null, "CSV of verdicts with the header " + HEADER
            + " (date and note may be empty; note last, may hold commas)"));
  }

  @Override
  public void validate(Args args) {
    boolean single = args.has("campaign") || args.has("verdict");
    if (single == args.has("file")) {
      throw new UsageException("give either --campaign and --verdict, or --file");
    }
    if (single) {
      if (!args.has("campaign") || !args.has("verdict")) {
        throw new UsageException("--campaign and --verdict go together");
      }
      verdict(args.text("campaign"), args.text("verdict"), args.has("date") ? args.date("date") : null,
          args.has("note") ? args.text("note") : null);
    } else if (args.has("date") || args.has("note")) {
      throw new UsageException("--date and --note are columns of the --file");
    }
  }

  @Override
  public void preflight(Args args) {
    CommonOptions.requireWritableLocalLake(args.text("lake"));
    if (args.has("file")) {
      read(Path.of(args.text("file")));
    }
  }

  @Override
  public int run(Args args, CliContext ctx) {
    List<VerdictJob.Verdict> verdicts = args.has("file") ? read(Path.of(args.text("file")))
        : List.of(verdict(args.text("campaign"), args.text("verdict"), args.has("date") ? args.date("date") : null,
            args.has("note") ? args.text("note") : null));
    VerdictJob.Result r = new VerdictJob(Lake.open(ctx.spark(), args.text("lake")), verdicts).execute();
    ctx.progress(r.summary());
    return 0;
  }

  private static VerdictJob.Verdict verdict(String campaign, String verdict, LocalDate date, String note) {
    try {
      return new VerdictJob.Verdict(campaign, date, verdict, note);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** The verdicts of a CSV file; a bad line is an error naming its number (nothing is recorded). */
  static List<VerdictJob.Verdict> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new InvalidInputException("cannot read --file " + file + ": " + e.getClass().getSimpleName());
    }
    if (lines.isEmpty() || !lines.get(0).strip().equals(HEADER)) {
      throw new InvalidInputException(file + ": the first line must be " + HEADER);
    }
    List<VerdictJob.Verdict> out = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",", 4);
      if (f.length < 2) {
        throw new InvalidInputException(file + " line " + (i + 1) + ": expected " + HEADER);
      }
      try {
        LocalDate date = f.length > 2 && !f[2].isBlank() ? LocalDate.parse(f[2].strip()) : null;
        String note = f.length > 3 && !f[3].isBlank() ? f[3].strip() : null;
        out.add(new VerdictJob.Verdict(f[0].strip(), date, f[1].strip(), note));
      } catch (DateTimeParseException | IllegalArgumentException e) {
        throw new InvalidInputException(file + " line " + (i + 1) + ": " + (e instanceof DateTimeParseException
            ? "'" + f[2].strip() + "' is not a date (YYYY-MM-DD)" : e.getMessage()));
      }
    }
    if (out.isEmpty()) {
      throw new InvalidInputException(file + " holds no verdicts");
    }
    return out;
  }
}
