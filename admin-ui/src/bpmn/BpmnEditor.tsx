import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, ZeebePropertiesProviderModule } from 'bpmn-js-properties-panel';
import ZeebeBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-cloud';
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json';
import { useLocaleState } from 'react-admin';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import './bpmn-states.css';
import { translateModule } from './translate';

export interface ProcessProblem {
  elementId: string;
  message: string;
}

export interface BpmnEditorHandle {
  getXml(): Promise<string>;
  showProblems(problems: ProcessProblem[]): void;
}

/**
 * The process editor: bpmn-js Modeler with the Camunda 8 (zeebe) properties panel, so candidate
 * groups, task types, timers and FEEL conditions are edited as zeebe extension attributes —
 * the same file opens in Camunda Modeler. Validation problems from publishing are shown on the
 * elements they name.
 */
export const BpmnEditor = forwardRef<BpmnEditorHandle, { xml: string }>(function BpmnEditor({ xml }, ref) {
  const canvasRef = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const modelerRef = useRef<Modeler | null>(null);
  const problemIds = useRef<string[]>([]);
  const [locale] = useLocaleState();

  useEffect(() => {
    if (!canvasRef.current || !panelRef.current) return;
    const modeler = new Modeler({
      container: canvasRef.current,
      propertiesPanel: { parent: panelRef.current },
      additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, ZeebePropertiesProviderModule, ZeebeBehaviorsModule, translateModule(locale)],
      moddleExtensions: { zeebe: zeebeModdle },
    });
    modelerRef.current = modeler;
    modeler
      .importXML(xml)
      .then(() => {
        // Fit the diagram, then shift it right of the palette, which floats over the canvas's left edge.
        const canvas = modeler.get('canvas') as { zoom(v: string): void; viewbox(box?: object): { x: number; y: number; width: number; height: number; scale: number } };
        canvas.zoom('fit-viewport');
        const box = canvas.viewbox();
        canvas.viewbox({ x: box.x - 150 / box.scale, y: box.y - 20 / box.scale, width: box.width + 190 / box.scale, height: box.height + 40 / box.scale });
      })
      .catch((err: unknown) => console.error('could not open the diagram', err));
    return () => {
      modeler.destroy();
      modelerRef.current = null;
    };
  }, [xml, locale]);

  useImperativeHandle(ref, () => ({
    async getXml() {
      const { xml: out } = await modelerRef.current!.saveXML({ format: true });
      return out ?? '';
    },
    showProblems(problems) {
      const modeler = modelerRef.current;
      if (!modeler) return;
      const canvas = modeler.get('canvas') as { addMarker(id: string, m: string): void; removeMarker(id: string, m: string): void };
      const overlays = modeler.get('overlays') as { add(id: string, type: string, o: object): void; remove(f: object): void };
      const registry = modeler.get('elementRegistry') as { get(id: string): unknown };
      for (const id of problemIds.current) if (registry.get(id)) canvas.removeMarker(id, 'has-problem');
      overlays.remove({ type: 'problem' });
      problemIds.current = [];
      for (const p of problems) {
        if (!registry.get(p.elementId)) continue;
        canvas.addMarker(p.elementId, 'has-problem');
        problemIds.current.push(p.elementId);
        const html = document.createElement('div');
        html.className = 'bpmn-problem';
        html.textContent = p.message;
        overlays.add(p.elementId, 'problem', { position: { top: -28, left: 0 }, html });
      }
    },
  }));

  return (
    <div className="bpmn-editor">
      <div ref={canvasRef} className="bpmn-editor-canvas" data-testid="bpmn-modeler" />
      <div ref={panelRef} className="bpmn-editor-properties" />
    </div>
  );
});
