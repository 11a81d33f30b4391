import { BpmnModdle } from 'bpmn-moddle';
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json';

/**
 * Reads BPMN XML with bpmn-moddle and the Zeebe extension descriptor. The element shapes below
 * are the few properties the compiler reads; bpmn-moddle itself ships no usable types under
 * CommonJS resolution.
 */
export interface ModdleElement {
  $type: string;
  id?: string;
  name?: string;
  [key: string]: unknown;
}

export interface ModdleReadResult {
  definitions: ModdleElement | null;
  /** Problems the XML reader reported (unknown elements, broken references, bad XML). */
  warnings: Array<{ message: string; elementId: string | null }>;
  /**
   * References of the diagram (BPMN DI) to elements the file does not hold: the drawing is
   * incomplete, but nothing executes from it (Modeler files copied between projects carry them).
   */
  diagramWarnings: Array<{ message: string; elementId: string | null }>;
}

interface ModdleWarning {
  message: string;
  element?: { id?: string; $type?: string };
}

/** The element a reader warning is about: the one it names, else the id on the XML line it cites. */
function warningElementId(w: ModdleWarning, xmlLines: string[]): string | null {
  if (w.element?.id) return w.element.id;
  const line = /line: (\d+)/.exec(w.message)?.[1];
  // saxen counts lines from 0.
  const text = line ? xmlLines[Number(line)] : undefined;
  return text ? (/\bid="([^"]+)"/.exec(text)?.[1] ?? null) : null;
}

export async function readBpmnXml(xml: string): Promise<ModdleReadResult> {
  const moddle = new BpmnModdle({ zeebe });
  try {
    const result = (await moddle.fromXML(xml)) as { rootElement: ModdleElement; warnings: ModdleWarning[] };
    const lines = xml.split('\n');
    const shaped = (w: ModdleWarning) => {
      const line = /line: (\d+)/.exec(w.message)?.[1];
      return { message: w.message.split('\n')[0] + (line ? ` (line ${Number(line) + 1})` : ''), elementId: warningElementId(w, lines) };
    };
    const diagramOnly = (w: ModdleWarning) => /^unresolved reference/.test(w.message) && (w.element?.$type ?? '').startsWith('bpmndi:');
    return { definitions: result.rootElement, warnings: result.warnings.filter((w) => !diagramOnly(w)).map(shaped), diagramWarnings: result.warnings.filter(diagramOnly).map(shaped) };
  } catch (err) {
    return { definitions: null, warnings: [{ message: err instanceof Error ? err.message.split('\n')[0] : String(err), elementId: null }], diagramWarnings: [] };
  }
}

/** The extension element of a given Zeebe type, if present. */
export function extension(element: ModdleElement, type: string): ModdleElement | undefined {
  const ext = element.extensionElements as { values?: ModdleElement[] } | undefined;
  return ext?.values?.find((v) => v.$type === type);
}

/** zeebe:properties as a plain map. */
export function zeebeProperties(element: ModdleElement): Record<string, string> {
  const props = extension(element, 'zeebe:Properties') as { properties?: Array<{ name?: string; value?: string }> } | undefined;
  const out: Record<string, string> = {};
  for (const p of props?.properties ?? []) if (p.name) out[p.name] = p.value ?? '';
  return out;
}
