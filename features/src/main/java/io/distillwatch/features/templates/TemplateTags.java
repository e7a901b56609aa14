package io.distillwatch.features.templates;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

import static org.apache.spark.sql.functions.udf;

/**
 * The rule-based tags of {@link PromptRules} as Spark columns, applied to a template's
 * normalised representative (once per template and day, not once per request).
 */
public final class TemplateTags {
  private TemplateTags() {}

  private static final UserDefinedFunction CAPABILITY =
      udf((UDF1<String, String>) s -> PromptRules.capability(s).label(), DataTypes.StringType).asNonNullable();
  private static final UserDefinedFunction COT =
      udf((UDF1<String, Boolean>) PromptRules::elicitsChainOfThought, DataTypes.BooleanType).asNonNullable();
  private static final UserDefinedFunction SCRIPT =
      udf((UDF1<String, String>) PromptRules::script, DataTypes.StringType).asNonNullable();

  public static Column capability(Column text) {
    return CAPABILITY.apply(text);
  }

  public static Column chainOfThought(Column text) {
    return COT.apply(text);
  }

  public static Column script(Column text) {
    return SCRIPT.apply(text);
  }
}
