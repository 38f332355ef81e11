/// The page's inline style sheet (no fonts or styles are loaded from anywhere).
enum HTMLPageStyle {
    static let source = """
    body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 12px 18px; color: #212121; }
    h1 { font-size: 19px; margin: 0 0 2px; } h2 { font-size: 16px; margin: 14px 0 4px; } h3 { font-size: 14px; margin: 8px 0 4px; }
    h1 .counts { font-size: 14px; font-weight: 400; color: #616161; margin-left: 8px; } h1 .jump { font-size: 13px; font-weight: 400; margin-left: 8px; }
    .traces, .note { color: #616161; margin: 2px 0; font-size: 13px; }
    table { border-collapse: collapse; } th, td { text-align: left; padding: 3px 10px; border-bottom: 1px solid #e0e0e0; vertical-align: top; }
    .verdict { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: #757575; }
    .verdict.holds { background: #2e7d32; } .verdict.violated { background: #c62828; }
    .verdict.possible { background: #ef6c00; } .verdict.unknown { background: #616161; }
    .summary { font-weight: 600; margin: 2px 0; }
    .key-figure { border-top: 1px solid #e0e0e0; }
    .figure { border: 1px solid #e0e0e0; border-radius: 4px; padding: 4px; outline: none; }
    .figure:focus { border-color: #90caf9; }
    .toolbar { display: flex; gap: 6px; align-items: center; font-size: 12px; }
    .toolbar button { font: inherit; padding: 2px 9px; border: 1px solid #bdbdbd; background: #fafafa; border-radius: 3px; cursor: pointer; }
    .toolbar .range, .hint { color: #757575; } .toolbar .hint { margin-left: auto; }
    svg.timeline { display: block; width: 100%; font: 12px system-ui, sans-serif; user-select: none; cursor: grab; touch-action: none; }
    svg .lane-label { font-weight: 600; fill: #424242; font-size: 12px; } svg .lane-label.broker { fill: #6a1b9a; }
    svg .tick, svg .cut-label { fill: #757575; font-size: 11px; }
    svg .label { fill: #212121; } svg .sublabel { fill: #616161; font-size: 11px; }
    svg .label.evidence { font-weight: 700; }
    svg .context { opacity: 0.5; } svg .mark { cursor: pointer; } svg .mark:hover { opacity: 1; }
    svg .arrow-label { fill: #c62828; font-weight: 700; font-size: 13px; paint-order: stroke; stroke: #fff; stroke-width: 4px; }
    svg .reason-label { font-size: 11px; font-weight: 600; fill: #37474f; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
    pre.details { background: #fffde7; border: 1px solid #eee; padding: 6px 8px; margin: 4px 0 0; white-space: pre-wrap; word-break: break-all; font-size: 12px; min-height: 3.2em; }
    pre.narrative { background: #fafafa; border: 1px solid #eee; padding: 8px; overflow-x: auto; }
    .forced ol { margin: 2px 0; padding-left: 22px; } .reason { font-weight: 600; }
    .reason.program { color: #1565c0; } .reason.clock { color: #6d4c41; } .reason.causality { color: #2e7d32; } .reason.fifo { color: #ef6c00; }
    .filters { margin: 4px 0 8px; display: flex; gap: 14px; align-items: center; }
    .legend ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; }
    .dot, .diamond { display: inline-block; width: 11px; height: 11px; border-radius: 50%; margin-right: 5px; vertical-align: -1px; }
    .diamond { border-radius: 0; transform: rotate(45deg) scale(0.85); }
    .dot.halo { background: #ffd54f; border: 2px solid #c62828; }
    .arrow-sample { color: #c62828; font-weight: 700; margin-right: 5px; }
    """
}
