package io.distillwatch.jobs.simulate;

import java.util.ArrayList;
import java.util.List;

/**
 * A population of accounts that behave alike (benign profiles) or act together (a campaign):
 * how often they send, when, what, with which models and client settings.
 */
final class Group {
  enum Timing { DIURNAL, WORKDAYS, UNIFORM, ROUND_ROBIN, BURST }

  enum Text { CHAT, CODING, TEMPLATES }

  final String name;
  final String profile;
  final String campaign;
  final String tactic;
  final List<SimAccount> accounts = new ArrayList<>();

  int baseAccounts;            // accounts at scale 1
  Timing timing = Timing.DIURNAL;
  double rate;                 // mean requests per account per active day
  double activeProb = 1.0;     // chance an account is active on a given day
  int startDay;                // first active day (index)
  Text freeText = Text.CHAT;   // what the non-template share of requests is
  double templateShare;        // share of requests drawn from templates
  List<PromptFactory.Template> templates = new ArrayList<>();
  List<PromptFactory.Template> sharedTemplates = new ArrayList<>(); // e.g. a public benchmark
  double sharedShare;          // share of template requests drawn from sharedTemplates
  double freeCotShare;         // free-text requests that also ask for step-by-step reasoning
  boolean pivot;               // moves to the newly released model within a day
  double newModelAdoption = 0.04; // benign: daily growth of the share on the new model
  String endpoint = "messages";
  String systemPrompt;
  double[] temperatures = {0.7, 1.0};
  int[] maxTokens = {1024, 2048, 4096};
  double nMultiProb;
  double logprobsProb;
  int toolsMax;
  int turnsMax = 1;
  double errorRate = 0.01;
  double responseShare = 0.7;
  boolean longOutputs;

  Group(String name, String profile, String campaign, String tactic) {
    this.name = name;
    this.profile = profile;
    this.campaign = campaign;
    this.tactic = tactic;
  }

  boolean isCampaign() {
    return campaign != null;
  }
}
