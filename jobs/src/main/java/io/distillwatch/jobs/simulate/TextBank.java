package io.distillwatch.jobs.simulate;

import java.util.List;
import java.util.Map;

/**
 * Word and sentence banks of the simulator. Frames hold {@code {x}} fillers chosen once per
 * template (so one template keeps its wording) and {@code <x>} slots filled per request (numbers,
 * quoted strings, code, names: what a campaign varies between requests).
 */
final class TextBank {
  private TextBank() {}

  static final List<String> CAPABILITIES = List.of(
      "agentic_coding", "tool_use", "reasoning", "rubric_grading", "general_chat", "translation", "other");

  static final Map<String, List<String>> FRAMES = Map.of(
      "agentic_coding", List.of(
          "Refactor the {adj} {component} in our {domain} service so that it {goal}.",
          "You are an autonomous coding agent working in a {lang} repository for a {domain} product.",
          "Open the file <path> and fix the failing test in the {component} module.",
          "Write a {lang} function that {task} and explain the time complexity.",
          "Plan the sequence of shell commands needed to {goal} and then execute them one by one.",
          "Review this diff for the {component} and list every bug you can find: <code>",
          "Implement a {adj} {component} in {lang} with proper error handling and logging.",
          "Given the stack trace <code>, locate the root cause in the {component} and propose a patch.",
          "Migrate the {component} from callbacks to async and await without changing its behaviour.",
          "Add unit tests that cover the edge cases of the {component}, including <number> boundary values.",
          "Our {domain} build fails on the {component} step; diagnose the problem from the log <code>.",
          "Generate a {lang} command line tool that {task}, with argument parsing and help text."),
      "tool_use", List.of(
          "You have access to the tools {tool_a} and {tool_b}; decide which to call and with which arguments.",
          "Return a JSON object calling {tool_a} with the parameters needed to {task}.",
          "Use the {tool_a} tool to look up <name> and then summarise what you found for a {role}.",
          "Call {tool_b} for each of the <number> items below and aggregate the results into a table.",
          "If the {tool_a} call fails, retry with {tool_b} and explain the fallback to the user.",
          "Plan a multi-step tool workflow for a {role} who wants to {task}.",
          "The previous tool result was <quoted>; choose the next tool call for the {domain} task.",
          "Write the function schema for a tool that lets a {role} {task}."),
      "reasoning", List.of(
          "Solve the following {field} problem and give the exact answer: <number> and <number> are the inputs.",
          "A train leaves <name> at <number> km/h while another leaves at <number> km/h; when do they meet?",
          "Prove that the {object} described below is {property} for every n greater than <number>.",
          "Find all integer solutions of the equation with coefficients <number>, <number> and <number>.",
          "Estimate the {quantity} of a {object} with the data <number> and justify each assumption.",
          "A bag holds <number> red and <number> blue marbles; compute the probability asked below.",
          "Determine whether the {field} argument below is valid and identify any hidden premise.",
          "Compute the {quantity} step by step for the sequence starting at <number>."),
      "rubric_grading", List.of(
          "Grade the following {artifact} on a scale of 1 to <number> using the rubric below.",
          "You are a strict grader for a {field} course; score the {artifact} for accuracy, clarity and depth.",
          "Compare response A and response B to the prompt <quoted> and say which is better and why.",
          "Rate how helpful, honest and harmless the assistant answer <quoted> is, from 1 to <number>.",
          "Check the {artifact} against each rubric item and output a score with a one-line justification.",
          "Act as a reward model: assign a score to the {artifact} and list its most serious flaw.",
          "Judge whether the answer <quoted> follows every instruction of the task; answer pass or fail."),
      "translation", List.of(
          "Translate the following {artifact} into {language} while keeping the {tone} tone: <quoted>.",
          "Render this {domain} text in {language}, preserving technical terms: <quoted>.",
          "Provide a {tone} {language} version of the sentence <quoted> and explain word choices."),
      "general_chat", List.of(
          "Write a {tone} {artifact} about {topic} for a {role}.",
          "Summarise the main arguments about {topic} in <number> bullet points.",
          "Explain {topic} to a {role} using a simple analogy."),
      "other", List.of(
          "Classify the sentiment of the review <quoted> as positive, negative or neutral.",
          "Extract every date, person and organisation from the text <quoted> as JSON.",
          "Generate <number> synthetic {artifact} records for the {domain} domain with realistic values."));

  static final Map<String, List<String>> FILLERS = Map.ofEntries(
      Map.entry("adj", List.of("legacy", "concurrent", "stateless", "cached", "distributed", "thread-safe", "streaming",
          "paginated", "idempotent", "sharded", "retrying", "rate-limited", "event-driven", "versioned")),
      Map.entry("component", List.of("payment handler", "session store", "job scheduler", "rate limiter", "cache layer",
          "auth middleware", "search indexer", "config loader", "webhook dispatcher", "billing exporter",
          "image resizer", "metrics collector", "query planner", "retry queue", "feature flag client")),
      Map.entry("domain", List.of("fintech", "logistics", "healthcare", "retail", "gaming", "travel", "insurance",
          "education", "energy", "media", "telecom", "real estate")),
      Map.entry("goal", List.of("survives a restart without losing work", "handles ten times the load",
          "no longer blocks the event loop", "reports useful metrics", "can be deployed without downtime",
          "passes the integration suite", "uses less memory under peak traffic", "is safe to call concurrently",
          "works offline", "emits structured logs")),
      Map.entry("lang", List.of("Python", "TypeScript", "Go", "Rust", "Java", "Kotlin", "C++", "Ruby")),
      Map.entry("task", List.of("parses a CSV file and validates every row", "deduplicates records by a fuzzy key",
          "schedules meetings across time zones", "computes running percentiles over a stream",
          "detects cycles in a dependency graph", "converts currencies with cached rates",
          "merges overlapping intervals", "tokenises a query language", "rotates log files safely",
          "summarises a long document into key facts")),
      Map.entry("tool_a", List.of("search_web(query)", "get_weather(city)", "run_sql(query)", "read_file(path)",
          "send_email(to, body)", "create_ticket(title)", "fetch_url(url)", "calendar_lookup(date)")),
      Map.entry("tool_b", List.of("python_exec(code)", "lookup_stock(symbol)", "translate(text, lang)",
          "list_files(dir)", "geocode(address)", "summarise(doc)", "vector_search(query)", "http_post(url, json)")),
      Map.entry("role", List.of("travel agent", "data analyst", "support engineer", "product manager", "nurse",
          "accountant", "teacher", "site reliability engineer", "lawyer", "journalist")),
      Map.entry("field", List.of("number theory", "probability", "geometry", "combinatorics", "logic", "algebra",
          "physics", "economics", "graph theory", "statistics")),
      Map.entry("object", List.of("sequence", "polygon", "function", "matrix", "graph", "polynomial", "tournament",
          "lattice", "set of intervals", "random walk")),
      Map.entry("property", List.of("bounded", "convex", "monotone", "periodic", "divisible by three", "connected",
          "symmetric", "well defined")),
      Map.entry("quantity", List.of("expected value", "variance", "area", "growth rate", "median", "total cost",
          "half-life", "break-even point")),
      Map.entry("artifact", List.of("essay", "code submission", "lab report", "short story", "product review",
          "proof", "summary", "cover letter", "policy memo", "answer")),
      Map.entry("language", List.of("French", "German", "Japanese", "Spanish", "Portuguese", "Korean", "Italian",
          "Dutch")),
      Map.entry("tone", List.of("formal", "friendly", "concise", "persuasive", "neutral", "playful", "technical")),
      Map.entry("topic", List.of("climate policy", "quantum computing", "sourdough baking", "marathon training",
          "urban gardening", "the history of jazz", "supply chains", "sleep science", "remote work",
          "electric cars", "chess openings", "budget travel"))
  );

  /** Words that a paraphrase may swap (first word of each pair replaced by the second). */
  static final List<String[]> SYNONYMS = List.of(
      new String[] {"following", "next"}, new String[] {"explain", "describe"}, new String[] {"list", "enumerate"},
      new String[] {"write", "produce"}, new String[] {"find", "determine"}, new String[] {"compute", "calculate"},
      new String[] {"every", "each"}, new String[] {"decide", "choose"}, new String[] {"problem", "question"},
      new String[] {"score", "rating"}, new String[] {"below", "given here"}, new String[] {"fix", "repair"},
      new String[] {"summarise", "condense"}, new String[] {"propose", "suggest"}, new String[] {"better", "stronger"});

  static final List<String> POLITE = List.of("Please", "Kindly", "Now,", "Next task:", "Task:");

  /** Chain-of-thought elicitation, as seen in public disclosures of distillation campaigns. */
  static final List<String> COT = List.of(
      "Think step by step and write out your full internal reasoning before the final answer.",
      "Show all of your intermediate reasoning, including the approaches you considered and rejected.",
      "Before answering, lay out your complete chain of thought in detail.",
      "Reason through the problem explicitly, step by step, and do not skip any step of your thinking.",
      "Write your hidden reasoning process in full, then give the answer on the last line.");

  static final List<String> FORMATS = List.of(
      "Answer in Markdown with a short summary at the top.",
      "Return only valid JSON with the keys answer and rationale.",
      "Keep the answer under <number> words.",
      "Use numbered steps and finish with a one-sentence conclusion.",
      "Format the output as a table followed by a brief explanation.");

  /** Non-English probing frames: template-time fillers are left out, request slots stay. */
  static final Map<String, List<String>> FOREIGN = Map.of(
      "zh", List.of(
          "请一步一步地思考，并写出你完整的推理过程，然后给出最终答案。",
          "解下面的数学题：已知 <number> 和 <number>，求它们的最小公倍数和最大公约数。",
          "请把下面的 Python 代码改写成更高效的版本，并解释每一处修改：<code>",
          "你可以调用搜索工具和计算器工具，请规划调用顺序来回答：<quoted>",
          "请按照评分标准给下面的回答打分（1 到 <number> 分），并说明理由：<quoted>",
          "请详细说明你在回答之前考虑过的所有方法，包括被你放弃的方法。"),
      "ru", List.of(
          "Подумай шаг за шагом и подробно распиши весь ход своих рассуждений перед ответом.",
          "Реши задачу: даны числа <number> и <number>, найди их сумму квадратов и объясни решение.",
          "Перепиши следующую функцию на Go и объясни каждое изменение: <code>",
          "Оцени ответ ассистента <quoted> по шкале от 1 до <number> и обоснуй оценку.",
          "Составь план вызовов инструментов поиска и калькулятора, чтобы ответить на вопрос <quoted>."),
      "es", List.of(
          "Piensa paso a paso y escribe todo tu razonamiento interno antes de la respuesta final.",
          "Resuelve el siguiente problema: con los datos <number> y <number>, calcula el valor esperado.",
          "Refactoriza esta función de JavaScript y explica cada cambio que hagas: <code>",
          "Evalúa la respuesta <quoted> del asistente con una puntuación de 1 a <number>."));

  /** Benign free text: openings, bodies and closings combined per request, so prompts rarely repeat. */
  static final List<String> CHAT_OPENINGS = List.of(
      "Hi!", "Quick question.", "I need some help.", "Hello there.", "Can you help me with something?",
      "I'm working on a project.", "Hey, hope you're well.", "I have a weird one for you.", "", "", "", "");

  static final List<String> CHAT_BODIES = List.of(
      "What is the best way to learn {topic} as a beginner with only weekends free?",
      "My {role} friend says {topic} is overrated, what do you think about that?",
      "Can you draft a {tone} email to my landlord about a broken heater?",
      "How should I plan a three day trip to {city} on a small budget?",
      "Why does my sourdough come out flat even when the starter is bubbly?",
      "Give me some ideas for a birthday present for someone who loves {topic}.",
      "What are the pros and cons of renting versus buying in {city}?",
      "Help me understand my electricity bill, the line items are confusing.",
      "Write a short poem about {topic} in the style of a sea shanty.",
      "I keep procrastinating on my thesis, any practical tips?",
      "Explain the difference between a Roth and a traditional retirement account.",
      "What should I cook tonight with rice, spinach and chickpeas?",
      "Is it normal for a puppy to sleep most of the day?",
      "Recommend some books similar to the ones I loved as a teenager about {topic}.",
      "How do I politely decline a meeting invitation from my manager?",
      "Summarise the plot of a classic novel without spoilers for the ending.",
      "What is a good stretching routine after running in the morning?",
      "My {lang} script prints the wrong date when the server is in another timezone, why?",
      "Can you check the grammar of my cover letter paragraph?",
      "How do vaccines train the immune system, in plain language?",
      "Suggest names for a small coffee shop near the university in {city}.",
      "What happened during the fall of the Western Roman Empire?",
      "Compare two popular note-taking apps for a student on a budget.",
      "I feel nervous about a job interview tomorrow, how can I prepare tonight?",
      "How many cups of flour do I need if I scale the recipe by one and a half?",
      "Write a toast for my sister's wedding that is funny but kind.",
      "How does compound interest work if I add money every month?",
      "Plan a vegetarian meal prep for a busy week.",
      "What are some fun science experiments to do with kids at home?",
      "Help me name the characters in my fantasy novel set in a desert city.");

  static final List<String> CHAT_CLOSINGS = List.of(
      "Thanks!", "Thank you so much.", "Keep it short please.", "Be honest.", "Appreciate it.",
      "No need for too much detail.", "", "", "", "", "");

  static final List<String> CODING_BODIES = List.of(
      "In our {lang} service the {component} leaks memory after a few hours, here is the heap summary <code>.",
      "Continue from the last step: the test for the {component} still fails with <quoted>.",
      "Run the linter and fix the warnings in <path>, then rerun the tests.",
      "Why would this {lang} snippet deadlock under load? <code>",
      "Rename the {component} package and update every import in the repository.",
      "Write a migration that adds an index on the orders table without locking it.",
      "The CI pipeline times out on the {component} step, how can I cache the dependencies?",
      "Explain what this regular expression matches: <quoted>.",
      "Convert this shell script to a Makefile target: <code>",
      "Draft a design doc outline for moving the {component} to a queue-based architecture.",
      "Add type hints to the functions in <path> and fix the errors mypy reports.",
      "Why is the p99 latency of the {component} spiking at midnight UTC?");

  static final List<String> CITIES = List.of("Lisbon", "Osaka", "Denver", "Nairobi", "Krakow", "Montreal",
      "Hanoi", "Bogota", "Perth", "Tallinn", "Porto", "Austin", "Seoul", "Lyon", "Cape Town");

  static final List<String> NAMES = List.of("Alice", "Bruno", "Chen", "Dana", "Emeka", "Farah", "Goran", "Hana",
      "Ivan", "Jules", "Kofi", "Lena", "Mateo", "Nadia", "Omar", "Priya");

  static final List<String> PATHS = List.of("src/main/app.py", "lib/core/util.ts", "cmd/server/main.go",
      "services/billing/handler.rs", "app/models/user.rb", "pkg/cache/lru.go", "web/src/api/client.ts");

  static final List<String> CODE = List.of("for i in range(n): total += price[i] * qty[i]",
      "if (user == null) { return cache.get(id); }", "let x = items.iter().map(|v| v * 2).collect::<Vec<_>>();",
      "SELECT id, sum(amount) FROM orders GROUP BY id HAVING count(*) > 3",
      "func (s *Store) Get(k string) ([]byte, error) { s.mu.Lock(); defer s.mu.Unlock() }",
      "const r = await fetch(url, { method: 'POST', body: JSON.stringify(p) });",
      "while queue: node = queue.popleft(); seen.add(node)");

  static final List<String> QUOTES = List.of("the sky is green because of oxygen",
      "our refund policy lasts thirty days", "I could not reproduce the error on staging",
      "the defendant was not present at the hearing", "photosynthesis happens mostly at night",
      "please reset my password", "the quarterly revenue grew while costs fell",
      "the patient reports mild pain after exercise", "delivery was late and the box was damaged");

  /** Response building blocks: the provider model's house style. */
  static final List<String> RESPONSE_OPENINGS = List.of(
      "Certainly! Here's a clear way to think about it.", "Great question. Let me walk through it.",
      "Here's a concise answer.", "Sure, here's what I'd suggest.", "Let me break this down step by step.");

  static final List<String> RESPONSE_BODIES = List.of(
      "The key idea is to separate the concerns first and then handle each part on its own.",
      "First, identify the constraint that matters most; second, check the edge cases; third, verify the result.",
      "In short, the answer depends on the trade-off between simplicity and robustness.",
      "A practical approach is to start small, measure, and only then optimise the slow parts.",
      "The result follows directly once you account for every term in the expression.",
      "- Keep the interface small\n- Test the boundaries\n- Document the assumptions",
      "**Summary:** the approach works, but the second step needs an explicit check.");

  static final List<String> RESPONSE_CLOSINGS = List.of(
      "I hope this helps! Let me know if you'd like more detail.", "Let me know if you have any other questions.",
      "Feel free to ask if anything is unclear.", "");
}
