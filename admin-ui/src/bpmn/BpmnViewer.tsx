import { useEffect, useRef } from 'react';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { useLocaleState, useTranslate } from 'react-admin';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import './bpmn-states.css';
import { translateModule } from './translate';

export interface ElementMarks {
  done?: string[];
  active?: string[];
  overdue?: string[];
}

/** An element a token stopped at with an error: drawn in red, with the message above it. */
export interface ElementIncident {
  elementId: string;
  message: string;
}

/** Where a case ended: its end events, drawn in its result's colour with the result's words beside them. */
export interface CaseEnding {
  elementIds: string[];
  result: string | null;
  label: string;
}

export interface ElementBadge {
  elementId: string;
  text: string;
  overdue?: boolean;
}

/**
 * A read-only diagram (bpmn-js NavigatedViewer: pan and zoom). Element states are CSS markers
 * (`canvas.addMarker`), holders and deadlines are overlays, as the bpmn-io examples do; an
 * incident is a red marker with its message as an overlay (shortened; the whole in its tooltip).
 */
export function BpmnViewer(props: { xml: string; marks?: ElementMarks; badges?: ElementBadge[]; incidents?: ElementIncident[]; ending?: CaseEnding | null; onElementClick?: (elementId: string) => void; height?: number }) {
  const container = useRef<HTMLDivElement>(null);
  const [locale] = useLocaleState();
  const { xml, marks, badges, incidents, ending, onElementClick, height } = props;

  useEffect(() => {
    if (!container.current) return;
    const viewer = new NavigatedViewer({ container: container.current, additionalModules: [translateModule(locale)] });
    let cancelled = false;
    viewer
      .importXML(xml)
      .then(() => {
        if (cancelled) return;
        type Box = { x: number; y: number; width: number; height: number };
        const canvas = viewer.get('canvas') as { zoom(v: string): void; viewbox(box?: Box): Box; addMarker(id: string, m: string): void };
        const registry = viewer.get('elementRegistry') as { get(id: string): unknown };
        canvas.zoom('fit-viewport');
        // A margin round the drawing, so labels above the top row (an incident, where the case ended) are not cut off.
        const fit = canvas.viewbox();
        canvas.viewbox({ x: fit.x - 30, y: fit.y - 30, width: fit.width + 60, height: fit.height + 60 });
        // A large process fitted whole is too small to read: show the current step at a readable
        // size instead (the reader pans and zooms for the rest; the navigated viewer allows both).
        const focus = (marks?.active ?? []).map((id) => registry.get(id) as (Box & { id: string }) | undefined).find((e) => e !== undefined);
        const scale = (canvas as unknown as { zoom(): number }).zoom();
        if (focus && scale < READABLE_ZOOM) {
          const width = fit.width * (scale / READABLE_ZOOM);
          const heightNow = fit.height * (scale / READABLE_ZOOM);
          canvas.viewbox({ x: focus.x + focus.width / 2 - width / 2, y: focus.y + focus.height / 2 - heightNow / 2, width, height: heightNow });
        }
        for (const [marker, ids] of Object.entries(marks ?? {})) {
          for (const id of ids ?? []) if (registry.get(id)) canvas.addMarker(id, marker);
        }
        const overlays = viewer.get('overlays') as { add(id: string, o: { position: object; html: string }): void };
        for (const badge of badges ?? []) {
          if (!registry.get(badge.elementId)) continue;
          const html = document.createElement('span');
          html.className = `bpmn-badge${badge.overdue ? ' overdue' : ''}`;
          html.textContent = badge.text; // text, never HTML: holder names come from users
          // Above the task: a boundary event and its label sit on the bottom edge.
          overlays.add(badge.elementId, { position: { top: -20, left: 0 }, html: html.outerHTML });
        }
        for (const incident of incidents ?? []) {
          if (!registry.get(incident.elementId)) continue;
          canvas.addMarker(incident.elementId, 'incident');
          const html = document.createElement('div');
          html.className = 'bpmn-incident';
          html.dataset.testid = 'bpmn-incident';
          html.title = incident.message; // text, never HTML: messages quote case data
          html.textContent = incident.message;
          overlays.add(incident.elementId, { position: { top: -30, left: -10 }, html: html.outerHTML });
        }
        for (const id of ending?.elementIds ?? []) {
          if (!registry.get(id)) continue;
          canvas.addMarker(id, `ended-${ending!.result ?? 'none'}`);
          const html = document.createElement('span');
          html.className = `bpmn-badge ended-${ending!.result ?? 'none'}`;
          html.dataset.testid = 'bpmn-ending';
          html.dataset.result = ending!.result ?? '';
          html.textContent = ending!.label;
          overlays.add(id, { position: { top: -24, left: -8 }, html: html.outerHTML });
        }
        if (onElementClick) {
          const events = viewer.get('eventBus') as { on(e: string, cb: (ev: { element: { id: string } }) => void): void };
          events.on('element.click', (ev) => onElementClick(ev.element.id));
        }
      })
      .catch((err: unknown) => console.error('could not show the diagram', err));
    return () => {
      cancelled = true;
      viewer.destroy();
    };
  }, [xml, marks, badges, incidents, ending, onElementClick, locale]);

  return (
    <>
      <div ref={container} className="bpmn-canvas" style={height ? { height } : undefined} data-testid="bpmn-viewer" />
      {marks && <DiagramLegend />}
    </>
  );
}

/** Below the fitted scale the diagram's text is too small to read (bpmn-js's 1 is the drawing's size). */
const READABLE_ZOOM = 0.7;

/** What the colours on a case's diagram mean. */
function DiagramLegend() {
  const translate = useTranslate();
  const items: Array<[string, string]> = [
    ['done', 'cases.legend.done'],
    ['active', 'cases.legend.active'],
    ['overdue', 'cases.legend.overdue'],
    ['incident', 'cases.legend.incident'],
  ];
  return (
    <div className="bpmn-legend" data-testid="bpmn-legend">
      {items.map(([kind, key]) => (
        <span key={kind}>
          <i className={`bpmn-legend-${kind}`} />
          {translate(key)}
        </span>
      ))}
    </div>
  );
}
