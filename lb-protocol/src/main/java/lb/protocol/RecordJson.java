package lb.protocol;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Any thread (stateless). Turns protocol records into JSON objects and back: a component
 * {@code activeSessions} is the field {@code "active_sessions"}, so each field name is written once,
 * as the record component. Null components are left out; a missing field reads as null (0 or false
 * for a primitive). Components may be strings, numbers, booleans, records, lists of those, or
 * {@code Map<String, Object>} (passed through as parsed). Off the data path: reflection is fine here.
 */
public final class RecordJson {

    private RecordJson() {
    }

    /** The JSON field name of a record component: camelCase to snake_case. */
    public static String fieldName(String component) {
        StringBuilder out = new StringBuilder(component.length() + 4);
        for (int i = 0; i < component.length(); i++) {
            char c = component.charAt(i);
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String fieldName(RecordComponent component) {
        WireName name = component.getAnnotation(WireName.class);
        return name != null ? name.value() : fieldName(component.getName());
    }

    /** {@code record} as a JSON object (fields in component order), ready for {@link Json#write}. */
    public static Map<String, Object> toJson(Record record) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            Object value;
            try {
                value = component.getAccessor().invoke(record);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + component, e);
            }
            if (value != null) {
                out.put(fieldName(component), toJsonValue(value));
            }
        }
        return out;
    }

    private static Object toJsonValue(Object value) {
        if (value instanceof Record r) {
            return toJson(r);
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object element : list) {
                out.add(element == null ? null : toJsonValue(element));
            }
            return out;
        }
        return value;
    }

    /**
     * A {@code type} read from a parsed JSON object.
     *
     * @throws IllegalArgumentException when a field has a type the component cannot take
     */
    public static <R extends Record> R fromJson(Class<R> type, Map<?, ?> json) {
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            args[i] = fromJsonValue(c.getType(), c.getGenericType(), json.get(fieldName(c)),
                    type.getSimpleName() + "." + c.getName());
        }
        try {
            Constructor<R> constructor = type.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalArgumentException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type, e);
        }
    }

    private static Object fromJsonValue(Class<?> type, Type generic, Object value, String where) {
        if (value == null) {
            if (type == long.class || type == int.class) {
                return type == long.class ? (Object) 0L : (Object) 0;
            }
            if (type == double.class) {
                return 0.0;
            }
            return type == boolean.class ? Boolean.FALSE : null;
        }
        if (type == long.class || type == Long.class) {
            return ((Number) expect(Number.class, value, where)).longValue();
        }
        if (type == int.class || type == Integer.class) {
            return ((Number) expect(Number.class, value, where)).intValue();
        }
        if (type == double.class || type == Double.class) {
            return ((Number) expect(Number.class, value, where)).doubleValue();
        }
        if (type == boolean.class || type == Boolean.class) {
            return expect(Boolean.class, value, where);
        }
        if (type == String.class) {
            return expect(String.class, value, where);
        }
        if (type.isEnum()) {
            String name = ((String) expect(String.class, value, where)).toUpperCase(Locale.ROOT);
            for (Object constant : type.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals(name)) {
                    return constant;
                }
            }
            throw new IllegalArgumentException(where + ": unknown value " + Json.write(value));
        }
        if (type.isRecord()) {
            @SuppressWarnings("unchecked")
            Class<? extends Record> recordType = (Class<? extends Record>) type;
            return fromJson(recordType, (Map<?, ?>) expect(Map.class, value, where));
        }
        if (type == List.class) {
            Type element = generic instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
            Class<?> elementClass = element instanceof Class<?> c ? c
                    : element instanceof ParameterizedType p ? (Class<?>) p.getRawType() : Object.class;
            List<Object> out = new ArrayList<>();
            for (Object v : (List<?>) expect(List.class, value, where)) {
                out.add(elementClass == Object.class ? v : fromJsonValue(elementClass, element, v, where + "[]"));
            }
            return Collections.unmodifiableList(out); // List.copyOf refuses the nulls JSON may hold
        }
        if (type == Map.class) {
            return expect(Map.class, value, where);
        }
        return value;
    }

    private static Object expect(Class<?> type, Object value, String where) {
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException(where + ": expected " + type.getSimpleName().toLowerCase(Locale.ROOT)
                    + ", not " + Json.write(value));
        }
        return value;
    }
}
