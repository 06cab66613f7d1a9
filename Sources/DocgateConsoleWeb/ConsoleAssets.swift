/// What the console serves besides its pages, embedded in the binary: its style sheet. There is no script: pages
/// are rendered on the server, the chart is SVG, the dashboard refreshes itself with a meta refresh.
enum ConsoleAssets {
    /// /assets/console.css.
    static let css: StaticString = """
        :root { --ink: #1d2733; --muted: #5b6875; --line: #d5dbe1; --accent: #1f5f99; --bad: #a4262c; --good: #2e7d32;
          --bg: #f6f7f9; }
        * { box-sizing: border-box; }
        html { font-family: "DejaVu Sans", "Liberation Sans", "PT Sans", Arial, sans-serif; font-size: 14px; color: var(--ink);
          background: var(--bg); }
        body { margin: 0; }
        header { display: flex; align-items: center; gap: 24px; padding: 8px 20px; background: #fff;
          border-bottom: 1px solid var(--line); }
        header .brand { font-weight: bold; color: var(--accent); font-size: 16px; }
        header nav { display: flex; gap: 16px; flex: 1; }
        header nav a { color: var(--ink); text-decoration: none; padding: 4px 0; }
        header nav a.active { border-bottom: 2px solid var(--accent); font-weight: bold; }
        header .logout { display: flex; gap: 8px; align-items: center; margin: 0; }
        header .user { color: var(--muted); }
        main { padding: 16px 20px 40px; max-width: 1400px; }
        h1 { font-size: 20px; margin: 4px 0 16px; }
        h2 { font-size: 16px; margin: 24px 0 8px; }
        table { border-collapse: collapse; background: #fff; margin: 4px 0 16px; }
        th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #eef1f4; font-weight: normal; color: var(--muted); }
        td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.mono, .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; overflow-wrap: anywhere; }
        .figures { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 8px; }
        .figure { background: #fff; border: 1px solid var(--line); padding: 10px 14px; min-width: 150px; }
        .figure .value { font-size: 22px; font-weight: bold; display: block; }
        .figure .label { color: var(--muted); }
        .notice { padding: 8px 12px; border: 1px solid var(--line); background: #fff; }
        .notice.error { border-color: var(--bad); color: var(--bad); }
        .notice.ok { border-color: var(--good); color: var(--good); }
        .outcome-delivered { color: var(--good); }
        .outcome-rejected, .outcome-conflict { color: var(--bad); }
        form.search { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: end; background: #fff; padding: 10px;
          border: 1px solid var(--line); margin-bottom: 12px; }
        form.search label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
        input, select, button { font: inherit; padding: 4px 6px; }
        button { background: var(--accent); color: #fff; border: 0; padding: 5px 12px; cursor: pointer; }
        button.secondary { background: #fff; color: var(--accent); border: 1px solid var(--accent); }
        .login { max-width: 360px; margin: 60px auto; background: #fff; border: 1px solid var(--line); padding: 20px; }
        .login label { display: block; margin-bottom: 10px; }
        .login input { width: 100%; }
        iframe.form { width: 100%; height: 900px; border: 1px solid var(--line); background: #fff; }
        .chart { background: #fff; border: 1px solid var(--line); }
        .legend span { margin-right: 16px; }
        .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
        .swatch.delivered { background: #2e7d32; }
        .swatch.rejected { background: #a4262c; }
        .swatch.duplicate { background: #8d99a6; }
        .swatch.conflict { background: #e09f1f; }
        .pager { margin: 8px 0; }
        @media print { header, form.search, .pager, button { display: none; } body { background: #fff; } }
        """
}
