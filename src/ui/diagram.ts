/**
 * Draws a Mermaid flowchart as box-drawing text. The renderer (with its layout engine)
 * takes ~300 ms to load, so it is imported only when a diagram is actually drawn.
 */
export async function renderDiagram(source: string, options: { ascii?: boolean } = {}): Promise<string> {
  const { renderMermaidASCII } = await import('beautiful-mermaid');
  return renderMermaidASCII(source, {
    colorMode: 'none',
    useAscii: options.ascii ?? !supportsUnicode(),
    paddingX: 3,
    paddingY: 1,
  });
}

function supportsUnicode(): boolean {
  if (process.platform !== 'win32') return process.env.TERM !== 'linux';
  return Boolean(process.env.WT_SESSION || process.env.TERM_PROGRAM);
}
