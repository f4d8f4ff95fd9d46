// The .bkp grammar as one reused Chevrotain CstParser with error recovery on.
//
// Every block is `keyword "name"? { attribute* }`; each attribute is its own CST node so the
// AST builder and the formatter can read one attribute's tokens in order. An unknown or
// misplaced word inside a block is taken by a catch-all alternative that reports it (with a
// "did you mean") and skips to the next attribute, so one typo costs one diagnostic, not a
// cascade.
import { CstParser, EOF, LLkLookaheadStrategy, type CstNode, type ILookaheadStrategy, type IOrAlt, type IToken, type OrMethodOpts, type TokenType } from "chevrotain";
import * as T from "./tokens.js";
import { parserErrorMessages } from "./parser-messages.js";

/** The first keyword of each attribute a block accepts (for skipping and suggestions). */
export const BLOCK_ATTRIBUTES: Record<string, TokenType[]> = {
  vault: [T.Path, T.Blob, T.RedundancyKw, T.Encryption, T.Pricing, T.Region, T.SoftDelete, T.Immutability, T.CrossRegionRestore, T.CrossSubscriptionRestore, T.ResourceGuard, T.AcceptIrreversible],
  policy: [T.Schedule, T.Timezone, T.InstantRestore, T.InstantRestoreResourceGroup, T.Consistency, T.Vss, T.Retain, T.Archive, T.Type, T.AcceptIrreversible],
  vm: [T.Os, T.State, T.Provisioning, T.Policy, T.Vault, T.ProtectedSince, T.Protection, T.Encryption, T.Vss, T.Scripts, T.Disk],
  disk: [T.Role, T.Size, T.Used, T.Churn, T.Pattern, T.Added, T.StorageAccount, T.Tier, T.Free, T.Image, T.Exclude, T.Lun],
  scripts: [T.Pre, T.Post, T.Timeout, T.Retries, T.ContinueOnFailure, T.Fsfreeze],
  ade: [T.Bek, T.Kek],
  "storage-account": [T.Kind, T.Iops, T.Throughput, T.Load, T.Path, T.Tier],
  restore: [T.Vms, T.Point, T.Into, T.Spread, T.ResourceGroup],
  assume: [T.TransferRate, T.ChecksumRate, T.PeakHours, T.PeakLag, T.Prepare, T.Horizon, T.Fragmentation, T.Churn, T.Calibrate, T.Congestion, T.RestoreIoSize, T.AgentlessPi],
  pricing: [T.Currency, T.Unit, T.Region, T.Instance, T.Storage, T.Snapshot, T.Archive],
};

/** Top-level block keywords, and whether the block takes a name. */
export const TOP_LEVEL_BLOCKS: { type: TokenType; named: boolean }[] = [
  { type: T.Vault, named: true },
  { type: T.Policy, named: true },
  { type: T.Vm, named: true },
  { type: T.StorageAccount, named: true },
  { type: T.Restore, named: true },
  { type: T.Assume, named: false },
  { type: T.Pricing, named: true },
];

/** A problem found while parsing that Chevrotain itself does not report (unknown words). */
export interface SkippedProblem {
  kind: "unknown-attribute" | "unknown-block" | "unexpected-token";
  token: IToken;
  /** What the block accepts there, for the "did you mean" hint. */
  expected: string[];
  block: string;
  skipped: IToken[];
}

function isTopLevelStart(t1: IToken, t2: IToken, t3: IToken): boolean {
  for (const b of TOP_LEVEL_BLOCKS) {
    if (t1.tokenType !== b.type) continue;
    if (b.named) return t2.tokenType === T.StringLit && t3.tokenType === T.LCurly;
    return t2.tokenType === T.LCurly;
  }
  return false;
}

type AltOptions = Parameters<ILookaheadStrategy["buildLookaheadForAlternation"]>[0];
type OptOptions = Parameters<ILookaheadStrategy["buildLookaheadForOptional"]>[0];
type AltFn = ReturnType<ILookaheadStrategy["buildLookaheadForAlternation"]>;
type OptFn = ReturnType<ILookaheadStrategy["buildLookaheadForOptional"]>;

/**
 * Chevrotain's LL(k) lookahead, with each decision's function built the first time the parser
 * reaches it rather than all at start-up: a process that checks one small file uses fewer than
 * half of them, and building them all was ~12 ms of `bkp check`'s start-up.
 */
function lazyLookahead(maxLookahead: number): ILookaheadStrategy {
  const llk = new LLkLookaheadStrategy({ maxLookahead });
  return {
    validate: (options) => llk.validate(options),
    buildLookaheadForAlternation(options: AltOptions): AltFn {
      let built: AltFn | undefined;
      return function (this: unknown, alts) {
        return (built ??= llk.buildLookaheadForAlternation(options)).call(this, alts);
      };
    },
    buildLookaheadForOptional(options: OptOptions): OptFn {
      let built: OptFn | undefined;
      return function (this: unknown) {
        return (built ??= llk.buildLookaheadForOptional(options)).call(this);
      };
    },
  };
}

class BkpParser extends CstParser {
  problems: SkippedProblem[] = [];
  /**
   * Each OR's alternatives, built on its first call and reused: Chevrotain reads them on every
   * call, and building them afresh (an array, objects and closures per attribute parsed) was a
   * third of everything a 10,000-VM parse allocated. They close over nothing but the parser.
   */
  private readonly alts: (IOrAlt<unknown>[] | OrMethodOpts<unknown>)[] = [];

  constructor() {
    super(T.allTokens, {
      recoveryEnabled: true,
      maxLookahead: 2,
      lookaheadStrategy: lazyLookahead(2),
      errorMessageProvider: parserErrorMessages,
      // Self-analysis runs once per process; validations are exercised by the test suite.
      skipValidations: process.env.BKP_VALIDATE_GRAMMAR !== "1",
    });
    this.performSelfAnalysis();
  }

  /** Skip tokens after an unknown word until something this block understands. */
  private skipUnknown(kind: SkippedProblem["kind"], block: string, token: IToken): void {
    const starts = BLOCK_ATTRIBUTES[block] ?? [];
    const skipped: IToken[] = [];
    let depth = 0;
    for (;;) {
      const t = this.LA(1);
      if (t.tokenType === EOF) break;
      if (isTopLevelStart(t, this.LA(2), this.LA(3))) break;
      if (depth === 0) {
        if (t.tokenType === T.RCurly && kind !== "unknown-block") break;
        if (kind !== "unknown-block" && starts.includes(t.tokenType) && t.startLine !== token.startLine) break;
        if (kind !== "unknown-block" && starts.includes(t.tokenType) && skipped.length > 0) break;
      }
      if (t.tokenType === T.LCurly) depth++;
      if (t.tokenType === T.RCurly) {
        depth--;
        if (depth <= 0 && kind === "unknown-block") {
          skipped.push(this.SKIP_TOKEN());
          break;
        }
      }
      skipped.push(this.SKIP_TOKEN());
    }
    this.problems.push({ kind, token, expected: starts.map(tokenLabel), block, skipped });
  }

  private unknownIn(block: string): void {
    const tok = this.CONSUME(T.AnyToken);
    this.ACTION(() => {
      const isWord = tok.tokenType === T.Identifier || T.keywordTokens.includes(tok.tokenType);
      this.skipUnknown(isWord ? "unknown-attribute" : "unexpected-token", block, tok);
    });
  }

  /** `{ attr* }` — stops at '}' or at the start of the next top-level block (missing '}'). */
  private body(attr: () => CstNode): void {
    this.CONSUME(T.LCurly);
    this.MANY({
      GATE: () => this.LA(1).tokenType !== T.RCurly && !isTopLevelStart(this.LA(1), this.LA(2), this.LA(3)),
      DEF: () => this.SUBRULE(attr),
    });
    this.CONSUME(T.RCurly);
  }

  public file = this.RULE("file", () => {
    this.MANY(() => {
      this.OR((this.alts[0] ??= {
        MAX_LOOKAHEAD: 1,
        DEF: [
        { ALT: () => this.SUBRULE(this.vaultBlock) },
        { ALT: () => this.SUBRULE(this.policyBlock) },
        { ALT: () => this.SUBRULE(this.vmBlock) },
        { ALT: () => this.SUBRULE(this.storageAccountBlock) },
        { ALT: () => this.SUBRULE(this.restoreBlock) },
        { ALT: () => this.SUBRULE(this.assumeBlock) },
        { ALT: () => this.SUBRULE(this.pricingBlock) },
        { ALT: () => this.SUBRULE(this.unknownBlock), IGNORE_AMBIGUITIES: true },
      ]}));
    });
  });

  private unknownBlock = this.RULE("unknownBlock", () => {
    const tok = this.CONSUME(T.AnyToken);
    this.ACTION(() => {
      const isWord = tok.tokenType === T.Identifier || T.keywordTokens.includes(tok.tokenType);
      this.skipUnknown(isWord ? "unknown-block" : "unexpected-token", "file", tok);
    });
  });

  // ---- vault ------------------------------------------------------------------------
  public vaultBlock = this.RULE("vaultBlock", () => {
    this.CONSUME(T.Vault);
    this.CONSUME(T.StringLit);
    this.body(this.vaultAttr);
  });
  private vaultAttr = this.RULE("vaultAttr", () => {
    this.OR((this.alts[1] ??= {
      MAX_LOOKAHEAD: 1,
      DEF: [
      { ALT: () => { this.CONSUME(T.Path); this.CONSUME(T.StringLit); } },
      { ALT: () => { this.CONSUME(T.RedundancyKw); this.CONSUME(T.Redundancy); } },
      { ALT: () => this.SUBRULE(this.vaultEncryption) },
      { ALT: () => { this.CONSUME(T.Pricing); this.CONSUME2(T.StringLit); } },
      { ALT: () => { this.CONSUME(T.Region); this.CONSUME3(T.StringLit); } },
      { ALT: () => { this.CONSUME(T.Blob); this.CONSUME4(T.StringLit); } },
      { ALT: () => this.SUBRULE(this.vaultSecurity) },
      { ALT: () => this.SUBRULE(this.acceptIrreversible) },
      { ALT: () => this.unknownIn("vault"), IGNORE_AMBIGUITIES: true },
    ]}));
  });
  private vaultEncryption = this.RULE("vaultEncryption", () => {
    this.CONSUME(T.Encryption);
    this.OR((this.alts[2] ??= [
      { ALT: () => this.CONSUME(T.PlatformKey) },
      { ALT: () => { this.CONSUME(T.CustomerKey); this.CONSUME(T.StringLit); } },
    ]));
  });

  // Vault security settings (grammar/reference.md "Vault security").
  private vaultSecurity = this.RULE("vaultSecurity", () => {
    this.OR((this.alts[60] ??= [
      {
        ALT: () => {
          this.CONSUME(T.SoftDelete);
          this.OR2((this.alts[61] ??= [
            { ALT: () => this.CONSUME(T.Off) },
            { ALT: () => { this.OR3((this.alts[62] ??= [{ ALT: () => this.CONSUME(T.On) }, { ALT: () => this.CONSUME(T.AlwaysOn) }])); this.OPTION(() => this.SUBRULE(this.quantity)); } },
          ]));
        },
      },
      { ALT: () => { this.CONSUME(T.Immutability); this.OR4((this.alts[63] ??= [{ ALT: () => this.CONSUME(T.Disabled) }, { ALT: () => this.CONSUME(T.Unlocked) }, { ALT: () => this.CONSUME(T.Locked) }])); } },
      { ALT: () => { this.CONSUME(T.CrossRegionRestore); this.CONSUME(T.Bool); } },
      { ALT: () => { this.CONSUME(T.CrossSubscriptionRestore); this.OR5((this.alts[64] ??= [{ ALT: () => this.CONSUME(T.Enabled) }, { ALT: () => this.CONSUME2(T.Disabled) }, { ALT: () => this.CONSUME(T.PermanentlyDisabled) }])); } },
      { ALT: () => { this.CONSUME(T.ResourceGuard); this.CONSUME(T.StringLit); } },
    ]));
  });
  /** `accept-irreversible <attribute>, …`: the user acknowledges a change Azure cannot undo. */
  private acceptIrreversible = this.RULE("acceptIrreversible", () => {
    this.CONSUME(T.AcceptIrreversible);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.AnyWord) });
  });

  // ---- policy -----------------------------------------------------------------------
  public policyBlock = this.RULE("policyBlock", () => {
    this.CONSUME(T.Policy);
    this.CONSUME(T.StringLit);
    this.body(this.policyAttr);
  });
  private policyAttr = this.RULE("policyAttr", () => {
    this.OR((this.alts[3] ??= {
      MAX_LOOKAHEAD: 1,
      DEF: [
      { ALT: () => this.SUBRULE(this.schedule) },
      { ALT: () => { this.CONSUME(T.Timezone); this.CONSUME(T.StringLit); } },
      { ALT: () => { this.CONSUME(T.InstantRestore); this.SUBRULE(this.quantity); } },
      { ALT: () => this.SUBRULE(this.consistency) },
      { ALT: () => this.SUBRULE(this.vss) },
      { ALT: () => this.SUBRULE(this.retain) },
      {
        ALT: () => {
          this.CONSUME(T.Archive);
          this.OR3((this.alts[35] ??= [
            { ALT: () => { this.CONSUME(T.After); this.SUBRULE2(this.quantity); } },
            { ALT: () => this.CONSUME(T.Recommended) },
            { ALT: () => this.CONSUME(T.Never) },
          ]));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.InstantRestoreResourceGroup);
          this.CONSUME2(T.StringLit);
          this.OPTION(() => { this.CONSUME(T.Suffix); this.CONSUME3(T.StringLit); });
        },
      },
      { ALT: () => { this.CONSUME(T.Type); this.OR2((this.alts[18] ??= [{ ALT: () => this.CONSUME(T.Standard) }, { ALT: () => this.CONSUME(T.Enhanced) }])); } },
      { ALT: () => this.SUBRULE(this.acceptIrreversible) },
      { ALT: () => this.unknownIn("policy"), IGNORE_AMBIGUITIES: true },
    ]}));
  });
  private schedule = this.RULE("schedule", () => {
    this.CONSUME(T.Schedule);
    this.OR((this.alts[4] ??= [
      { ALT: () => { this.CONSUME(T.Daily); this.CONSUME(T.At); this.CONSUME(T.TimeLit); } },
      { ALT: () => { this.CONSUME(T.Weekly); this.CONSUME(T.On); this.SUBRULE(this.weekdayList); this.CONSUME2(T.At); this.CONSUME2(T.TimeLit); } },
      {
        ALT: () => {
          this.CONSUME(T.Every);
          this.SUBRULE(this.quantity);
          this.CONSUME(T.From);
          this.CONSUME3(T.TimeLit);
          this.CONSUME(T.For);
          this.SUBRULE2(this.quantity);
        },
      },
    ]));
  });
  private consistency = this.RULE("consistency", () => {
    this.CONSUME(T.Consistency);
    this.OR((this.alts[5] ??= [
      { ALT: () => this.CONSUME(T.Application) },
      { ALT: () => this.CONSUME(T.FileSystem) },
      { ALT: () => this.CONSUME(T.Crash) },
      { ALT: () => this.CONSUME(T.AgentlessCrash) },
    ]));
  });
  private vss = this.RULE("vss", () => {
    this.CONSUME(T.Vss);
    this.OR((this.alts[6] ??= [{ ALT: () => this.CONSUME(T.Full) }, { ALT: () => this.CONSUME(T.Copy) }]));
  });
  private retain = this.RULE("retain", () => {
    this.CONSUME(T.Retain);
    this.OR((this.alts[7] ??= [
      { ALT: () => { this.CONSUME(T.Daily); this.SUBRULE(this.quantity); } },
      { ALT: () => { this.CONSUME(T.Weekly); this.SUBRULE2(this.quantity); this.CONSUME(T.On); this.SUBRULE(this.weekdayList); } },
      { ALT: () => { this.CONSUME(T.Monthly); this.SUBRULE3(this.quantity); this.CONSUME2(T.On); this.SUBRULE(this.monthlyWhen); } },
      {
        ALT: () => {
          this.CONSUME(T.Yearly);
          this.SUBRULE4(this.quantity);
          this.CONSUME(T.In);
          this.SUBRULE(this.monthList);
          this.CONSUME3(T.On);
          this.SUBRULE2(this.monthlyWhen);
        },
      },
    ]));
    // Azure's retentionTimes, when they differ from the schedule's time.
    this.OPTION(() => { this.CONSUME(T.At); this.CONSUME(T.TimeLit); });
  });
  /** `first, third Wed, Thu` or `day 1, 15, last`. */
  private monthlyWhen = this.RULE("monthlyWhen", () => {
    this.OR((this.alts[8] ??= [
      {
        ALT: () => {
          this.CONSUME(T.Day);
          this.OR2((this.alts[19] ??= [{ ALT: () => this.CONSUME(T.NumberLit) }, { ALT: () => this.CONSUME(T.Last) }]));
          this.MANY(() => {
            this.CONSUME(T.Comma);
            this.OR3((this.alts[20] ??= [{ ALT: () => this.CONSUME2(T.NumberLit) }, { ALT: () => this.CONSUME2(T.Last) }]));
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Ordinal);
          this.MANY2(() => {
            this.CONSUME2(T.Comma);
            this.CONSUME2(T.Ordinal);
          });
          this.SUBRULE(this.weekdayList);
        },
      },
    ]));
  });
  private weekdayList = this.RULE("weekdayList", () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Weekday) });
  });
  private monthList = this.RULE("monthList", () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Month) });
  });
  /** A number with an optional unit of any kind; the checker says when the kind is wrong. */
  private quantity = this.RULE("quantity", () => {
    const n = this.CONSUME(T.NumberLit);
    const unit = this.OPTION(() => {
      return this.OR((this.alts[9] ??= [
        { ALT: () => this.CONSUME(T.SizeUnit) },
        { ALT: () => this.CONSUME(T.DurationUnit) },
        { ALT: () => this.CONSUME(T.RateUnit) },
        { ALT: () => this.CONSUME(T.Percent) },
      ]));
    });
    // A misspelt unit on the number's line (`64 Gb`, `30 dys`) is taken as the unit, so that the
    // builder says which unit was meant and the next attribute is not swallowed by recovery.
    this.OPTION2({ GATE: () => unit === undefined && this.LA(1).startLine === n.startLine, DEF: () => this.CONSUME(T.Identifier) });
  });

  // ---- vm ---------------------------------------------------------------------------
  public vmBlock = this.RULE("vmBlock", () => {
    this.CONSUME(T.Vm);
    this.CONSUME(T.StringLit);
    this.body(this.vmAttr);
  });
  private vmAttr = this.RULE("vmAttr", () => {
    this.OR((this.alts[10] ??= {
      MAX_LOOKAHEAD: 1,
      DEF: [
      { ALT: () => { this.CONSUME(T.Os); this.OR2((this.alts[21] ??= [{ ALT: () => this.CONSUME(T.Windows) }, { ALT: () => this.CONSUME(T.Linux) }])); } },
      { ALT: () => { this.CONSUME(T.State); this.OR3((this.alts[22] ??= [{ ALT: () => this.CONSUME(T.Running) }, { ALT: () => this.CONSUME(T.Stopped) }])); } },
      // alts[65]: each OR has its own cache slot (vault security took 60-64).
      { ALT: () => { this.CONSUME(T.Security); this.OR7((this.alts[65] ??= [{ ALT: () => this.CONSUME(T.Standard) }, { ALT: () => this.CONSUME(T.TrustedLaunch) }, { ALT: () => this.CONSUME(T.Confidential) }])); } },
      {
        ALT: () => {
          this.CONSUME(T.Provisioning);
          this.OR4((this.alts[23] ??= [
            { ALT: () => this.CONSUME(T.Succeeded) },
            { ALT: () => this.CONSUME(T.Failed) },
            { ALT: () => this.CONSUME(T.Unavailable) },
            { ALT: () => this.CONSUME(T.Creating) },
            { ALT: () => this.CONSUME(T.Deleting) },
          ]));
        },
      },
      { ALT: () => { this.CONSUME(T.Policy); this.CONSUME(T.StringLit); } },
      { ALT: () => { this.CONSUME(T.Vault); this.CONSUME2(T.StringLit); } },
      { ALT: () => { this.CONSUME(T.ProtectedSince); this.CONSUME(T.DateLit); } },
      {
        ALT: () => {
          this.CONSUME(T.Protection);
          this.OR5((this.alts[24] ??= [
            { ALT: () => this.CONSUME(T.Active) },
            {
              ALT: () => {
                this.CONSUME2(T.Stopped);
                this.OR6((this.alts[25] ??= [{ ALT: () => this.CONSUME(T.RetainData) }, { ALT: () => this.CONSUME(T.DeleteData) }]));
              },
            },
          ]));
        },
      },
      { ALT: () => this.SUBRULE(this.adeBlock) },
      { ALT: () => this.SUBRULE(this.vss) },
      { ALT: () => this.SUBRULE(this.scriptsBlock) },
      { ALT: () => this.SUBRULE(this.diskBlock) },
      { ALT: () => this.unknownIn("vm"), IGNORE_AMBIGUITIES: true },
    ]}));
  });
  private adeBlock = this.RULE("adeBlock", () => {
    this.CONSUME(T.Encryption);
    this.CONSUME(T.Ade);
    this.body(this.adeAttr);
  });
  private adeAttr = this.RULE("adeAttr", () => {
    this.OR((this.alts[11] ??= {
      MAX_LOOKAHEAD: 1,
      DEF: [
      { ALT: () => { this.CONSUME(T.Bek); this.CONSUME(T.StringLit); } },
      { ALT: () => { this.CONSUME(T.Kek); this.CONSUME2(T.StringLit); } },
      { ALT: () => this.unknownIn("ade"), IGNORE_AMBIGUITIES: true },
    ]}));
  });
  private scriptsBlock = this.RULE("scriptsBlock", () => {
    this.CONSUME(T.Scripts);
    this.body(this.scriptsAttr);
  });
  private scriptsAttr = this.RULE("scriptsAttr", () => {
    this.OR((this.alts[12] ??= {
      MAX_LOOKAHEAD: 1,
      DEF: [
      { ALT: () => { this.CONSUME(T.Pre); this.CONSUME(T.StringLit); this.OPTION(() => this.SUBRULE(this.scriptArgs)); } },
      { ALT: () => { this.CONSUME(T.Post); this.CONSUME2(T.StringLit); this.OPTION2(() => this.SUBRULE2(this.scriptArgs)); } },
      { ALT: () => { this.CONSUME(T.Timeout); this.SUBRULE(this.quantity); } },
      { ALT: () => { this.CONSUME(T.Retries); this.CONSUME(T.NumberLit); } },
      { ALT: () => { this.CONSUME(T.ContinueOnFailure); this.CONSUME(T.Bool); } },
      { ALT: () => { this.CONSUME(T.Fsfreeze); this.CONSUME2(T.Bool); } },
      { ALT: () => this.unknownIn("scripts"), IGNORE_AMBIGUITIES: true },
    ]}));
  });
  private scriptArgs = this.RULE("scriptArgs", () => {
    this.CONSUME(T.Args);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.StringLit) });
  });
  private diskBlock = this.RULE("diskBlock", () => {
    this.CONSUME(T.Disk);
    this.CONSUME(T.StringLit);
    this.body(this.diskAttr);
  });
  private diskAttr = this.RULE("diskAttr", () => {
    this.OR((this.alts[13] ??= {
      MAX_LOOKAHEAD: 1,
      DEF: [
      {
        ALT: () => {
          this.CONSUME(T.Role);
          this.OR2((this.alts[26] ??= [{ ALT: () => this.CONSUME(T.Os) }, { ALT: () => this.CONSUME(T.Data) }, { ALT: () => this.CONSUME(T.Temp) }]));
        },
      },
      { ALT: () => { this.CONSUME(T.Size); this.SUBRULE(this.quantity); } },
      { ALT: () => { this.CONSUME(T.Used); this.SUBRULE2(this.quantity); } },
      { ALT: () => { this.CONSUME(T.Churn); this.SUBRULE3(this.quantity); this.CONSUME(T.Per); this.CONSUME(T.Day); } },
      { ALT: () => { this.CONSUME(T.Pattern); this.OR3((this.alts[27] ??= [{ ALT: () => this.CONSUME(T.Sequential) }, { ALT: () => this.CONSUME(T.Scattered) }])); } },
      { ALT: () => { this.CONSUME(T.Added); this.CONSUME(T.DateLit); } },
      { ALT: () => { this.CONSUME(T.StorageAccount); this.CONSUME(T.StringLit); } },
      {
        ALT: () => {
          this.CONSUME(T.Tier);
          this.OR4((this.alts[28] ??= [
            { ALT: () => this.CONSUME(T.Standard) },
            { ALT: () => this.CONSUME(T.Premium) },
            { ALT: () => this.CONSUME(T.PremiumV2) },
            { ALT: () => this.CONSUME(T.Ultra) },
          ]));
        },
      },
      { ALT: () => { this.CONSUME(T.Free); this.SUBRULE4(this.quantity); } },
      { ALT: () => { this.CONSUME(T.Image); this.CONSUME2(T.StringLit); } },
      { ALT: () => this.CONSUME(T.Exclude) },
      { ALT: () => { this.CONSUME(T.Lun); this.CONSUME(T.NumberLit); } },
      { ALT: () => this.unknownIn("disk"), IGNORE_AMBIGUITIES: true },
    ]}));
  });

  // ---- storage-account -------------------------------------------------------------
  public storageAccountBlock = this.RULE("storageAccountBlock", () => {
    this.CONSUME(T.StorageAccount);
    this.CONSUME(T.StringLit);
    this.body(this.storageAccountAttr);
  });
  private storageAccountAttr = this.RULE("storageAccountAttr", () => {
    this.OR((this.alts[14] ??= {
      MAX_LOOKAHEAD: 1,
      DEF: [
      { ALT: () => { this.CONSUME(T.Kind); this.OR2((this.alts[29] ??= [{ ALT: () => this.CONSUME(T.GeneralPurposeV2) }, { ALT: () => this.CONSUME(T.Premium) }])); } },
      { ALT: () => { this.CONSUME(T.Iops); this.SUBRULE(this.quantity); } },
      { ALT: () => { this.CONSUME(T.Throughput); this.SUBRULE2(this.quantity); } },
      { ALT: () => { this.CONSUME(T.Load); this.SUBRULE3(this.quantity); } },
      { ALT: () => { this.CONSUME(T.Path); this.CONSUME(T.StringLit); } },
      { ALT: () => { this.CONSUME(T.Tier); this.OR3((this.alts[30] ??= [{ ALT: () => this.CONSUME(T.Standard) }, { ALT: () => this.CONSUME2(T.Premium) }])); } },
      { ALT: () => this.unknownIn("storage-account"), IGNORE_AMBIGUITIES: true },
    ]}));
  });

  // ---- restore ----------------------------------------------------------------------
  public restoreBlock = this.RULE("restoreBlock", () => {
    this.CONSUME(T.Restore);
    this.CONSUME(T.StringLit);
    this.body(this.restoreAttr);
  });
  private restoreAttr = this.RULE("restoreAttr", () => {
    this.OR((this.alts[15] ??= {
      MAX_LOOKAHEAD: 1,
      DEF: [
      {
        ALT: () => {
          this.CONSUME(T.Vms);
          this.OR2((this.alts[31] ??= [
            { ALT: () => this.CONSUME(T.All) },
            { ALT: () => this.SUBRULE(this.nameList) },
          ]));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Point);
          this.OR3((this.alts[32] ??= [
            { ALT: () => this.CONSUME(T.Latest) },
            { ALT: () => this.CONSUME(T.Instant) },
            { ALT: () => this.CONSUME(T.StringLit) },
            { ALT: () => this.CONSUME(T.DateTimeLit) },
          ]));
        },
      },
      { ALT: () => { this.CONSUME(T.Into); this.SUBRULE2(this.nameList); } },
      {
        ALT: () => {
          this.CONSUME(T.Spread);
          this.OR4((this.alts[33] ??= [
            { ALT: () => this.CONSUME(T.OneVmPerAccount) },
            { ALT: () => { this.CONSUME(T.Max); this.CONSUME(T.NumberLit); this.CONSUME(T.Disks); this.CONSUME(T.Per); this.CONSUME(T.Account); } },
          ]));
        },
      },
      { ALT: () => { this.CONSUME(T.ResourceGroup); this.CONSUME2(T.StringLit); } },
      { ALT: () => this.unknownIn("restore"), IGNORE_AMBIGUITIES: true },
    ]}));
  });
  private nameList = this.RULE("nameList", () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.StringLit) });
  });

  // ---- assume -----------------------------------------------------------------------
  public assumeBlock = this.RULE("assumeBlock", () => {
    this.CONSUME(T.Assume);
    this.body(this.assumeAttr);
  });
  private assumeAttr = this.RULE("assumeAttr", () => {
    this.OR((this.alts[16] ??= {
      MAX_LOOKAHEAD: 1,
      DEF: [
      { ALT: () => { this.CONSUME(T.TransferRate); this.SUBRULE(this.quantity); this.OPTION(() => { this.CONSUME(T.Per); this.CONSUME(T.Disk); }); } },
      { ALT: () => { this.CONSUME(T.ChecksumRate); this.SUBRULE2(this.quantity); this.OPTION2(() => { this.CONSUME2(T.Per); this.CONSUME2(T.Disk); }); } },
      { ALT: () => { this.CONSUME(T.PeakHours); this.CONSUME(T.TimeLit); this.CONSUME(T.To); this.CONSUME2(T.TimeLit); } },
      { ALT: () => { this.CONSUME(T.PeakLag); this.SUBRULE3(this.quantity); } },
      { ALT: () => { this.CONSUME(T.Prepare); this.SUBRULE4(this.quantity); } },
      { ALT: () => { this.CONSUME(T.Horizon); this.SUBRULE5(this.quantity); } },
      { ALT: () => { this.CONSUME(T.Fragmentation); this.CONSUME(T.NumberLit); } },
      { ALT: () => { this.CONSUME(T.Churn); this.SUBRULE6(this.quantity); this.CONSUME3(T.Per); this.CONSUME(T.Day); } },
      { ALT: () => { this.CONSUME(T.Calibrate); this.CONSUME(T.FromVault); } },
      { ALT: () => { this.CONSUME(T.Congestion); this.CONSUME2(T.NumberLit); } },
      { ALT: () => { this.CONSUME(T.RestoreIoSize); this.SUBRULE7(this.quantity); } },
      { ALT: () => { this.CONSUME(T.AgentlessPi); this.CONSUME3(T.NumberLit); } },
      { ALT: () => this.unknownIn("assume"), IGNORE_AMBIGUITIES: true },
    ]}));
  });

  // ---- pricing ----------------------------------------------------------------------
  public pricingBlock = this.RULE("pricingBlock", () => {
    this.CONSUME(T.Pricing);
    this.CONSUME(T.StringLit);
    this.body(this.pricingAttr);
  });
  private pricingAttr = this.RULE("pricingAttr", () => {
    this.OR((this.alts[17] ??= {
      MAX_LOOKAHEAD: 1,
      DEF: [
      { ALT: () => { this.CONSUME(T.Currency); this.CONSUME(T.Identifier); } },
      { ALT: () => { this.CONSUME(T.Unit); this.CONSUME(T.SizeUnit); } },
      { ALT: () => { this.CONSUME(T.Region); this.CONSUME(T.StringLit); } },
      {
        ALT: () => {
          this.CONSUME(T.Instance);
          this.OR2((this.alts[34] ??= [{ ALT: () => this.CONSUME(T.UpTo) }, { ALT: () => this.CONSUME(T.Per) }]));
          this.SUBRULE(this.quantity);
          this.CONSUME(T.NumberLit);
        },
      },
      { ALT: () => { this.CONSUME(T.Storage); this.CONSUME(T.Redundancy); this.CONSUME2(T.NumberLit); this.CONSUME2(T.Per); this.CONSUME(T.GbMonth); } },
      { ALT: () => { this.CONSUME(T.Snapshot); this.CONSUME3(T.NumberLit); this.CONSUME3(T.Per); this.CONSUME2(T.GbMonth); } },
      { ALT: () => { this.CONSUME(T.Archive); this.CONSUME4(T.NumberLit); this.CONSUME4(T.Per); this.CONSUME3(T.GbMonth); } },
      { ALT: () => this.unknownIn("pricing"), IGNORE_AMBIGUITIES: true },
    ]}));
  });
}

function tokenLabel(t: TokenType): string {
  return typeof t.LABEL === "string" ? t.LABEL.replace(/^'|'$/g, "") : t.name;
}

let instance: BkpParser | undefined;

/** The one parser of the process (Chevrotain parsers are built once and reused). */
export function getParser(): BkpParser {
  instance ??= new BkpParser();
  return instance;
}

export type { BkpParser };
